//! Mounts the payrules console (only in the browser).

/// The console's allocator: talc, as in the npm package's modules (smaller than std's dlmalloc).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(payrules_web::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("payrules-web is a browser app: build it with `trunk build` (see README.md)");
}
