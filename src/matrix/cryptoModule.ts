import { initAsync } from '@matrix-org/matrix-sdk-crypto-wasm';

/**
 * Loads the Rust crypto WebAssembly module from the file shipped inside the extension
 * (see `shipCryptoWasmAsFile` in wxt.config.ts). Must run before `initRustCrypto`; later
 * calls, including matrix-js-sdk's own, reuse the loaded module.
 */
export function loadCryptoModule(wasmUrl: string): Promise<void> {
  return initAsync(wasmUrl);
}
