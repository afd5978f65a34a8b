//! The browser entry point: the page is drawn by the server; this wakes up its islands.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A server function that redirects (login, registration) moves the browser to the new page.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let _ = leptos::prelude::window().location().set_href(to);
    });
    leptos::mount::hydrate_islands();
}

// The islands' hydration entry points are exported by the app crate; link it in.
#[allow(unused_imports)]
use app::*;
