//! The browser entry point: hydrates the server-rendered page.
// The app's views nest deeply; the release build computes their layouts here.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazy routes (see `app::App`): hydration waits until this page's chunk arrived.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Lets people (and browser tests) tell the page has become interactive.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
