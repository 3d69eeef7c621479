/** Where the build puts the Rust crypto module inside the extension (see wxt.config.ts). */
export const CRYPTO_WASM_PATH = 'wasm/matrix_sdk_crypto_wasm_bg.wasm';
