//! Server state, provided to SSR and server functions as context by `leptos_routes`.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    /// Where uploaded files live: outside the served site, never listed.
    pub files_dir: std::path::PathBuf,
    /// The address people reach the site at (`BANGBAN_PUBLIC_ORIGIN`), for links in messages.
    pub public_origin: Option<String>,
    /// Behind a reverse proxy (`BANGBAN_TRUST_PROXY`): the client's address is the last entry of
    /// `X-Forwarded-For`, not the peer (which is the proxy).
    pub trust_proxy: bool,
    /// This process's listener for pushed updates.
    pub live: crate::live::ssr::Hub,
}

/// The database pool of the running server.
pub fn pool() -> Result<PgPool, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .map(|s| s.pool)
        .ok_or_else(|| crate::error::AppError::internal("AppState missing from context"))
}

/// The address people reach the site at, for links in messages, when it is configured.
pub fn public_origin() -> Option<String> {
    leptos::prelude::use_context::<AppState>().and_then(|s| s.public_origin)
}
