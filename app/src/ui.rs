//! Small pieces of UI every feature uses.

use crate::error::AppError;
use leptos::prelude::*;

/// The message under a form field: the browser's own check while typing (`local`), else the
/// server's verdict on `field`.
#[component]
pub fn FieldMessage(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
    #[prop(optional, into)] local: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let message = move || {
        local
            .and_then(|l| l.get())
            .or_else(|| error.get().and_then(|e| e.for_field(field)))
    };
    view! {
        <span class="field-error" role="alert" data-field=field>{message}</span>
    }
}

/// A message about the whole form (refused login, network trouble…).
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert">{move || error.get().map(|e| e.to_string())}</p>
        </Show>
    }
}

/// The error of an action's last run, if it failed.
pub fn action_error<T>(action: ServerAction<T>) -> Signal<Option<AppError>>
where
    T: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// A page's script as sent: without indentation and comment lines, which are for readers of the
/// source. Scripts go inline with pages the applicants open, inside their download budget.
pub fn compact_js(js: &str) -> String {
    js.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Shows the page as it now is, drawn by the server again: what an island changed went through.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().reload();
    }
}

/// Reloads the page once a run of `action` went through; a refused run leaves what the person
/// entered in place, with the reason beside it.
pub fn reload_after_success<T>(action: ServerAction<T>)
where
    T: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            reload_page();
        }
    });
}

/// The controls of an island that only work once its code is running: disabled as the server
/// draws them, enabled when the island has hydrated, so a tap before then is never lost.
#[component]
pub fn Interactive(children: Children) -> impl IntoView {
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <fieldset class="interactive" disabled=move || !ready.get()>{children()}</fieldset>
    }
}

/// What `fetch` returns for the route parameter `param`; a value that does not parse is simply
/// not found.
pub fn route_resource<K, T, Fut>(
    param: &'static str,
    fetch: fn(K) -> Fut,
) -> Resource<Result<T, AppError>>
where
    K: std::str::FromStr + Clone + PartialEq + Send + Sync + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let params = leptos_router::hooks::use_params_map();
    Resource::new(
        move || params.read().get(param).and_then(|v| v.parse::<K>().ok()),
        move |key| async move {
            match key {
                Some(key) => fetch(key).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

/// Times are shown in Beijing time whatever the server's zone.
pub fn beijing_time(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    t.with_timezone(&cst)
}

/// The error a plain form's post came back with, when it was `endpoint`'s: without a script
/// the browser follows the server function's answer back to the page, which carries the error
/// in its query (`__path`, `__err`).
pub fn posted_error(endpoint: &str) -> Option<AppError> {
    use leptos::server_fn::error::ServerFnUrlError;
    leptos_router::hooks::use_query_map().with_untracked(|q| {
        let path = q.get("__path")?;
        if path.trim_start_matches("/api/") != endpoint {
            return None;
        }
        Some(ServerFnUrlError::<AppError>::decode_err(&q.get("__err")?))
    })
}

/// The first refused post among `endpoints`, for the message of a plain form's page.
pub fn posted(endpoints: &[&str]) -> Signal<Option<AppError>> {
    Signal::stored(endpoints.iter().find_map(|e| posted_error(e)))
}

/// The stylesheet of report and oversight pages (tables, tiles, charts): apart from main.css, so
/// no applicant page downloads it.
#[component]
pub fn SupervisionStyle() -> impl IntoView {
    view! { <leptos_meta::Stylesheet id="supervision-css" href="/supervision.css"/> }
}

/// The stylesheet of printed papers (the list of 附件2, the application form, notices, handover
/// records): apart from main.css, so the pages applicants open every day do not download it.
#[component]
pub fn PrintStyle() -> impl IntoView {
    view! { <leptos_meta::Stylesheet id="print-css" href="/print.css"/> }
}

/// The stylesheet of the booking and consultation pages (time tiles, questions and answers).
#[component]
pub fn ReceptionStyle() -> impl IntoView {
    view! { <leptos_meta::Stylesheet id="reception-css" href="/reception.css"/> }
}
