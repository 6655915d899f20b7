//! Mounts the payrules console (only in the browser).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(payrules_web::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("payrules-web is a browser app: build it with `trunk build` (see README.md)");
}
