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

pub const SESSION_COOKIE: &str = "bangban_session";

/// Builds the whole application. The session table must exist (`SessionRows::migrate`).
pub fn router(state: AppState, config: &Config) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);

    let session_store = crate::sessions::SessionRows::new(state.pool.clone());
    let session_layer = SessionManagerLayer::new(session_store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        // Saved on every request, so the idle timeout counts from the last activity.
        .with_always_save(true)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(
            app::accounts::ssr::STAFF_IDLE_MINUTES,
        )));
    let auth_layer =
        AuthManagerLayerBuilder::new(Backend::new(state.pool.clone()), session_layer).build();

    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let origin = Arc::new(OriginPolicy {
        public_origin: config.public_origin.clone(),
        scheme: if config.secure_cookies {
            "https"
        } else {
            "http"
        },
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
        .route(
            "/supervision/export/{file}",
            get(app::supervision::ssr::export),
        )
        .route("/events", get(app::live::ssr::events))
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(public_file_or_not_found)
        .layer(middleware::from_fn(honest_status))
        .layer(middleware::from_fn(session_age))
        .layer(auth_layer)
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::from_fn_with_state(origin, check_origin))
        .layer(middleware::from_fn(no_store_by_default))
        .layer(middleware::from_fn(page_policy))
        .layer(CompressionLayer::new().br(true).gzip(true))
        // Pages set their own policy with the request's nonce; everything else runs nothing.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            // Only when we are served over HTTPS: over plain HTTP the header means nothing, and
            // on a developer's machine it would pin localhost to HTTPS.
            config
                .secure_cookies
                .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
        ))
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

/// A file of the public folder (`/staff.css`, `/favicon.ico`), else the app's page for an
/// unknown address (404). Leptos's own handler passes a file request on with only its
/// Accept-Encoding, so a browser asking "changed since?" got the whole file again.
async fn public_file_or_not_found(State(state): State<AppState>, req: Request<Body>) -> Response {
    use tower::ServiceExt;
    if req.method() == Method::GET || req.method() == Method::HEAD {
        let mut file = Request::new(Body::empty());
        *file.method_mut() = req.method().clone();
        *file.uri_mut() = req.uri().clone();
        *file.headers_mut() = req.headers().clone();
        let Ok(res) = ServeDir::new(&*state.leptos_options.site_root)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(file)
            .await;
        if matches!(
            res.status(),
            StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT
        ) {
            return res.into_response();
        }
    }
    let uri = req.uri().clone();
    leptos_axum::file_and_error_handler::<AppState, _>(shell)(uri, State(state), req).await
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
    /// The scheme our pages are served with: `http://host` is not `https://host`.
    pub scheme: &'static str,
}

impl OriginPolicy {
    /// A state-changing request must say it comes from our own pages: its `Origin` (or, from
    /// old browsers, its `Referer`) must be the configured public origin, or the requested host
    /// with our scheme.
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
            (Some(host), Some((scheme, authority))) => {
                scheme.eq_ignore_ascii_case(self.scheme) && authority.eq_ignore_ascii_case(host)
            }
            _ => false,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves. Each connection is set `TCP_NODELAY`:
/// a page is streamed in several writes, and without it the kernel holds the last small one
/// back for the client's delayed ACK (about 40 ms on every page).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
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

/// Ends sessions older than their role's absolute limit, whatever their activity.
async fn session_age(
    mut auth: app::accounts::ssr::AuthSession,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    if app::accounts::ssr::enforce_session_age(&mut auth)
        .await
        .is_err()
    {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    // What the handlers below see: logged out, when the session just ended.
    req.extensions_mut().insert(auth);
    next.run(req).await
}

/// Every page's Content-Security-Policy: scripts only from us or carrying the nonce Leptos put
/// on this page's own scripts (our loader, Leptos's data for islands), wasm allowed to compile,
/// nothing inline else. Set here, from the page as sent, rather than by the page through
/// Leptos's response options, which lost the header now and then under concurrent requests
/// (seen in the browser tests: the page then ran no script at all).
async fn page_policy(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !is_page {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let policy = content_security_policy(page_nonce(&bytes).as_deref());
    if let Ok(value) = HeaderValue::from_str(&policy) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The nonce on the page's first script that has one (all of a page's share it).
fn page_nonce(html: &[u8]) -> Option<String> {
    let at = memchr::memmem::find(html, b"nonce=\"")? + 7;
    let nonce: String = html[at..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
        .map(|b| *b as char)
        .collect();
    (nonce.len() >= 16).then_some(nonce)
}

fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Pages and answers carry personal data (names, phones, ID numbers): no browser or proxy keeps
/// a copy, unless the response says otherwise. The built scripts and styles are cached as usual.
async fn no_store_by_default(req: Request<Body>, next: Next) -> Response {
    let asset = is_asset(req.uri().path());
    let mut res = next.run(req).await;
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        // Scripts and stylesheets keep their names from one release to the next: a browser
        // keeps them but asks each time whether they changed (a 304 costs no download), so
        // a page never runs last release's script.
        let policy = if asset { "no-cache" } else { "no-store" };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// The build's files (`/pkg/…`) and the public folder's (`/staff.css`, `/favicon.ico`): the
/// same for everyone, no personal data.
fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || (path.rfind('/') == Some(0)
            && [".css", ".ico", ".js", ".wasm", ".png", ".svg"]
                .iter()
                .any(|ext| path.ends_with(ext)))
}

/// Server functions answer every error with 500; this gives the caller's mistakes their 4xx
/// (from the error itself, `AppError::status`), so monitoring can tell typos and attacks from
/// outages. An unknown server function is a 404, not the framework's explanatory 400.
async fn honest_status(req: Request<Body>, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    let status = res.status();
    if status != StatusCode::INTERNAL_SERVER_ERROR && status != StatusCode::BAD_REQUEST {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if status == StatusCode::BAD_REQUEST && bytes.starts_with(b"Could not find a server function") {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "未找到该功能",
        )
            .into_response();
    }
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        if let Ok(e) = serde_json::from_slice::<app::error::AppError>(&bytes) {
            parts.status = StatusCode::from_u16(e.status()).unwrap_or(status);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
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
    fn a_page_policy_trusts_only_its_own_nonce() {
        let page = br#"<script type="module" nonce="ykb_8fAwAfmiHtgVxqlcXg">x</script>"#;
        let nonce = page_nonce(page);
        assert_eq!(nonce.as_deref(), Some("ykb_8fAwAfmiHtgVxqlcXg"));
        let policy = content_security_policy(nonce.as_deref());
        assert!(policy.contains("'nonce-ykb_8fAwAfmiHtgVxqlcXg'"));
        assert!(!policy.contains("unsafe-inline"));
        // Something that is not a nonce never reaches the header.
        assert_eq!(page_nonce(br#"<p nonce="x'; script-src *">"#), None);
        assert!(!content_security_policy(None).contains("nonce"));
    }

    #[test]
    fn only_the_builds_and_public_files_are_kept_by_browsers() {
        for asset in [
            "/pkg/bangban.js",
            "/pkg/staff/bangban_bg.wasm",
            "/staff.css",
            "/favicon.ico",
        ] {
            assert!(is_asset(asset), "{asset}");
        }
        for page in [
            "/supervision/export/cases.csv",
            "/lists/3/list.xlsx",
            "/files/12",
            "/cases/411325-20261130-0001",
            "/api/work/queue",
            "/x/staff.css",
        ] {
            assert!(!is_asset(page), "{page}");
        }
    }

    #[test]
    fn origin_policy() {
        let p = OriginPolicy {
            public_origin: None,
            scheme: "http",
        };
        let host = Some("127.0.0.1:3000");
        assert!(p.allows(Some("http://127.0.0.1:3000"), None, host));
        // The same host under another scheme is another origin.
        assert!(!p.allows(Some("https://127.0.0.1:3000"), None, host));
        assert!(!p.allows(Some("ftp://127.0.0.1:3000"), None, host));
        assert!(!p.allows(Some("http://evil.example"), None, host));
        assert!(!p.allows(Some("null"), None, host));
        assert!(p.allows(None, Some("http://127.0.0.1:3000/login?next=/me"), host));
        assert!(!p.allows(None, Some("http://evil.example/127.0.0.1:3000"), host));
        assert!(!p.allows(None, None, host));

        let p = OriginPolicy {
            public_origin: Some("https://bangban.example.cn".into()),
            scheme: "https",
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
