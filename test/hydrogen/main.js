// The whole Hydrogen web app (login, room list, timeline, member list, member details),
// assembled from the hydrogen-view-sdk npm package the way Hydrogen's own
// src/platform/web/index.html and main.js assemble it. Plain JavaScript: the package ships
// no usable types, and everything here is glue.
//
// The homeserver is not built in: the server that serves this app answers config.json with
// the test Synapse's address, so one build serves every run.
import { Platform, RootViewModel, createNavigation, createRouter, FeatureSet } from 'hydrogen-view-sdk';
import downloadSandbox from 'hydrogen-view-sdk/download-sandbox.html?url';
import worker from 'hydrogen-view-sdk/main.js?url';
import olmWasm from '@matrix-org/olm/olm.wasm?url';
import olmJs from '@matrix-org/olm/olm.js?url';
import olmLegacyJs from '@matrix-org/olm/olm_legacy.js?url';
import lightTheme from 'hydrogen-view-sdk/theme-element-light.css?url';
import darkTheme from 'hydrogen-view-sdk/theme-element-dark.css?url';

// Hydrogen's two Element themes, as its theme picker offers them: ?theme=dark picks the dark one
// (the tests photograph the badges and banner on both).
const theme = document.createElement('link');
theme.rel = 'stylesheet';
theme.href = new URLSearchParams(location.search).get('theme') === 'dark' ? darkTheme : lightTheme;
document.head.append(theme);

const assetPaths = {
  downloadSandbox,
  worker,
  olm: { wasm: olmWasm, wasmBundle: olmJs, legacyBundle: olmLegacyJs },
  // Copied next to index.html by build.ts: a service worker's scope is its own folder.
  serviceWorker: 'sw.js',
};

async function main() {
  const platform = new Platform({ container: document.body, assetPaths, configURL: 'config.json', options: { development: false } });
  await platform.init();
  const features = await FeatureSet.load(platform.settingsStorage);
  const navigation = createNavigation();
  platform.setNavigation(navigation);
  const urlRouter = createRouter({ navigation, history: platform.history });
  urlRouter.attach();
  const vm = new RootViewModel({ platform, urlRouter, navigation, features });
  await vm.load();
  platform.createAndMountRootView(vm);
}

main().catch((error) => {
  console.error('Hydrogen failed to start', error);
  document.body.dataset.hydrogenError = String(error?.message ?? error);
});
