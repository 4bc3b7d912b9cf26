//! The wasm entry point: hydrates the server-rendered page. Nothing else lives here.
// Leptos view types nest deeply; the default limit is too low for the detail page.
#![recursion_limit = "256"]

/// Mounts the app's root component onto the server-rendered `<body>`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
