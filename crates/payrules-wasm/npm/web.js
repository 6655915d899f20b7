// Browser entry (a plain ES module): call `await init()` once, then use the functions.
export { default } from './web/payrules_wasm.js';
export * from './web/payrules_wasm.js';
