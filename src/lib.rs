//! The wasm entry point: hydrates the islands of the server-rendered page. Nothing else lives here.

// Links the app crate, whose `#[island]` components export the functions the island script calls.
use app as _;

/// Starts the reactive runtime; the island script then hydrates each `<leptos-island>` on the page.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
