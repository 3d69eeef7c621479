/**
 * Stands in for `webextension-polyfill` in the page bundle of bench/overlay.bench.ts: the real
 * polyfill throws when imported outside an extension, and the only API the painting code uses
 * through it (`browser.i18n`) is replaced there with `useMessageLookup`.
 */
export default {};
