//! The HTTP stack: pages and server functions, static files, sessions, and request checks.

use crate::config::Config;
use app::accounts::ssr::Backend;
use app::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::{time::Duration, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

pub const SESSION_COOKIE: &str = "bangban_session";

/// Builds the whole application. The session table must exist (`PostgresStore::migrate`).
pub fn router(state: AppState, config: &Config) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);

    let session_store = PostgresStore::new(state.pool.clone());
    let session_layer = SessionManagerLayer::new(session_store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(
            app::accounts::ssr::STAFF_IDLE_MINUTES,
        )));
    let auth_layer =
        AuthManagerLayerBuilder::new(Backend::new(state.pool.clone()), session_layer).build();

    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let origin = Arc::new(OriginPolicy {
        public_origin: config.public_origin.clone(),
    });

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/lists/{id}/{file}",
            get(app::catalog::transfer::ssr::export),
        )
        .route(
            "/files",
            post(app::files::ssr::upload)
                .layer(DefaultBodyLimit::max(app::files::MAX_BYTES + 64 * 1024)),
        )
        .route("/files/{id}", get(app::files::ssr::open))
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(auth_layer)
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::from_fn_with_state(origin, check_origin))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            static NEXT_ID: AtomicU64 = AtomicU64::new(1);
            tracing::info_span!(
                "request",
                id = NEXT_ID.fetch_add(1, Ordering::Relaxed),
                method = %req.method(),
                path = %req.uri().path(),
            )
        }))
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    if crate::db::ready(&state.pool).await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

pub struct OriginPolicy {
    pub public_origin: Option<String>,
}

impl OriginPolicy {
    /// A state-changing request must say it comes from our own pages: its `Origin` (or, from
    /// old browsers, its `Referer`) must be the configured public origin or the requested host.
    fn allows(&self, origin: Option<&str>, referer: Option<&str>, host: Option<&str>) -> bool {
        let source = match (origin, referer) {
            (Some(o), _) if o != "null" => o.to_string(),
            (_, Some(r)) => match origin_of(r) {
                Some(o) => o,
                None => return false,
            },
            _ => return false,
        };
        if let Some(public) = &self.public_origin {
            if &source == public {
                return true;
            }
        }
        match (host, source.split_once("://")) {
            (Some(host), Some((_, authority))) => authority.eq_ignore_ascii_case(host),
            _ => false,
        }
    }
}

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}"))
}

async fn check_origin(
    State(policy): State<Arc<OriginPolicy>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let allowed = {
        let h = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        let allowed = policy.allows(h(header::ORIGIN), h(header::REFERER), h(header::HOST));
        if !allowed {
            tracing::warn!(origin = ?h(header::ORIGIN), "cross-origin request refused");
        }
        allowed
    };
    if allowed {
        next.run(req).await
    } else {
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "请求来源无效，请从本站页面重新操作。",
        )
            .into_response()
    }
}

/// Leptos options for a server not started by cargo-leptos (tests, tools).
pub fn leptos_options(site_root: &str) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("bangban")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_policy() {
        let p = OriginPolicy {
            public_origin: None,
        };
        let host = Some("127.0.0.1:3000");
        assert!(p.allows(Some("http://127.0.0.1:3000"), None, host));
        assert!(!p.allows(Some("http://evil.example"), None, host));
        assert!(!p.allows(Some("null"), None, host));
        assert!(p.allows(None, Some("http://127.0.0.1:3000/login?next=/me"), host));
        assert!(!p.allows(None, Some("http://evil.example/127.0.0.1:3000"), host));
        assert!(!p.allows(None, None, host));

        let p = OriginPolicy {
            public_origin: Some("https://bangban.example.cn".into()),
        };
        assert!(p.allows(
            Some("https://bangban.example.cn"),
            None,
            Some("10.0.0.5:3000")
        ));
        assert!(!p.allows(
            Some("https://other.example.cn"),
            None,
            Some("10.0.0.5:3000")
        ));
    }
}
