//! Spawns the whole app on a random port against the fresh database `#[sqlx::test]` made.

#![allow(dead_code)]

use app::state::AppState;
use reqwest::{redirect::Policy, Client, Response};
use serde_json::{json, Value};
use server::config::{Config, Mode};
use sqlx::PgPool;

/// Where the test site says it is, in links of messages.
pub const PUBLIC_ORIGIN: &str = "https://bangban.example.gov.cn";

static NEXT_DIR: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    pub files_dir: std::path::PathBuf,
    pub client: Client,
    server: tokio::task::JoinHandle<()>,
    listener: tokio::task::JoinHandle<()>,
}

// The server has its own pool, closed with it, so nothing holds the test database open when
// `#[sqlx::test]` drops it.
impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.listener.abort();
        let _ = std::fs::remove_dir_all(&self.files_dir);
    }
}

pub async fn spawn(pool: PgPool) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(std::env::var("TEST_LOG").unwrap())
            .with_test_writer()
            .with_thread_names(true)
            .try_init();
    }
    server::sessions::SessionRows::new(pool.clone())
        .migrate()
        .await
        .expect("session table");
    server::seed::load(&pool).await.expect("demo data");
    server::db::grant_sessions(&pool)
        .await
        .expect("session grants");
    serve(pool).await
}

/// Another server on the database `spawn` prepared, as a second process of a county would be:
/// its own router and session store (values in `app::held` are process-wide all the same).
pub async fn serve(pool: PgPool) -> TestApp {
    // The server works as its restricted role, as in production.
    let server_pool = server::db::serving_pool(&pool).await.expect("server pool");
    // Each test stores its uploads in its own folder, removed with the app.
    let files_dir = std::env::temp_dir().join(format!(
        "bangban-test-files-{}-{}",
        std::process::id(),
        NEXT_DIR.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let (live, live_listener) = app::live::ssr::Hub::start(server_pool.clone());
    let state = AppState {
        live,
        leptos_options: server::http::leptos_options("target/site"),
        pool: server_pool,
        files_dir: files_dir.clone(),
        public_origin: Some(PUBLIC_ORIGIN.into()),
        trust_proxy: false,
    };
    let config = Config {
        database_url: String::new(),
        mode: Mode::Development,
        secure_cookies: false,
        public_origin: None,
        files_dir: std::path::PathBuf::new(),
        trust_proxy: false,
        sms_file: std::path::PathBuf::new(),
        sms_gateway: None,
    };
    let router = server::http::router(state, &config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        server::http::serve(listener, router, std::future::pending())
            .await
            .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        pool,
        files_dir,
        client: new_client(),
        server,
        listener: live_listener,
    }
}

pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Calls a server function as the page's JavaScript does: same-origin POST, form-encoded.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.call_with(&self.client, endpoint, form).await
    }

    pub async fn call_with(
        &self,
        client: &Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Response {
        client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Origin", &self.base)
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function that takes JSON (the application form).
    pub async fn call_json(&self, client: &Client, endpoint: &str, body: &Value) -> Response {
        client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Origin", &self.base)
            .header("Accept", "application/json")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap()
    }

    /// One step on a case as the steps panel sends it (with the case's current version).
    pub async fn act(&self, client: &Client, number: &str, action: Value) -> Response {
        let ctx: Value = self
            .call_with(client, "work/context", &[("number", number)])
            .await
            .json()
            .await
            .unwrap();
        self.call_json(
            client,
            "work/act",
            &json!({"number": number, "version": ctx["version"], "action": action}),
        )
        .await
    }

    /// A manager of a township center ('manager09'), logged in: someone of another unit.
    pub async fn township_manager(&self) -> Client {
        sqlx::query(
            "INSERT INTO accounts (login_name, display_name, role, phone, password_hash, center_id)
             SELECT 'manager09', '湍东主任', 'manager', '13900000099', password_hash,
                    (SELECT id FROM centers WHERE kind = 'township_center' ORDER BY id LIMIT 1)
             FROM accounts WHERE login_name = 'manager01'",
        )
        .execute(&self.pool)
        .await
        .unwrap();
        self.client_as("manager09").await
    }

    /// Asserts that the server's database role may run none of `statements` (history is only
    /// ever added to).
    pub async fn assert_history_only(&self, statements: &[&str]) {
        let served = server::db::serving_pool(&self.pool).await.unwrap();
        for sql in statements {
            let err = sqlx::query(sql).execute(&served).await.unwrap_err();
            assert!(
                err.to_string().contains("permission denied"),
                "{sql}: {err}"
            );
        }
    }

    /// A page as `client`'s browser asks for it.
    pub async fn get_as(&self, client: &Client, path: &str) -> Response {
        client
            .get(format!("{}{path}", self.base))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.call("login", &[("login_name", login), ("password", password)])
            .await
    }

    /// A browser logged in as a demo account.
    pub async fn client_as(&self, login: &str) -> Client {
        let client = new_client();
        let res = self
            .call_with(
                &client,
                "login",
                &[
                    ("login_name", login),
                    ("password", server::seed::DEMO_PASSWORD),
                ],
            )
            .await;
        assert!(res.status().is_success(), "login as {login}");
        client
    }

    /// The public version of the item called `name`.
    pub async fn item_id(&self, name: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT i.id FROM service_items i
             JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed' WHERE i.name = $1",
        )
        .bind(name)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    pub async fn department_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM departments WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// The public catalog search, as a visitor's browser calls it.
    pub async fn search(&self, q: &str, category: &str, item_type: &str) -> Vec<Value> {
        let form = [
            ("q", q),
            ("category", category),
            ("center", ""),
            ("item_type", item_type),
        ];
        let res = self.call_with(&new_client(), "catalog/search", &form).await;
        assert!(res.status().is_success(), "{}", res.status());
        res.json().await.unwrap()
    }

    pub async fn current_role(&self) -> Option<String> {
        let v: Value = self.call("current_user", &[]).await.json().await.unwrap();
        v.get("role").and_then(|r| r.as_str()).map(str::to_string)
    }
}

/// The error a server function answered with, as the browser receives it.
pub async fn error_of(res: Response) -> Value {
    assert!(
        !res.status().is_success(),
        "expected an error, got {}",
        res.status()
    );
    res.json().await.unwrap()
}

/// The message shown next to `field`.
pub fn field_message(err: &Value, field: &str) -> Option<String> {
    err.get("Invalid")?
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str().map(str::to_string))
}

/// A signature as the browser's pad sends it: a PNG with a thick stroke (or blank).
pub fn signature_png(inked: bool) -> Vec<u8> {
    let (w, h) = (600u32, 220u32);
    let mut pixels = vec![0u8; (w * h * 4) as usize];
    if inked {
        for x in 50..550u32 {
            let y = 40 + (x - 50) * 140 / 500;
            for dy in 0..5 {
                let i = (((y + dy) * w + x) * 4) as usize;
                pixels[i..i + 4].copy_from_slice(&[31, 35, 40, 255]);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()
            .unwrap()
            .write_image_data(&pixels)
            .unwrap();
    }
    out
}

/// `signature_png` as a `data:image/png;base64,…` URL.
pub fn signature_data_url(inked: bool) -> String {
    use base64::Engine;
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(signature_png(inked))
    )
}

/// Uploads a file as the page's upload button does, optionally onto a case.
pub async fn upload(
    app: &TestApp,
    client: &Client,
    purpose: &str,
    name: &str,
    bytes: Vec<u8>,
    case: Option<&str>,
) -> Response {
    post_file(app, client, purpose, name, bytes, case, None).await
}

/// Uploads a PDF onto case `number` for one material of its checklist.
pub async fn upload_for(app: &TestApp, client: &Client, number: &str, material: &str) -> Response {
    post_file(
        app,
        client,
        "supplement",
        "补正.pdf",
        pdf(),
        Some(number),
        Some(material),
    )
    .await
}

async fn post_file(
    app: &TestApp,
    client: &Client,
    purpose: &str,
    name: &str,
    bytes: Vec<u8>,
    case: Option<&str>,
    material: Option<&str>,
) -> Response {
    use reqwest::multipart::{Form, Part};
    let mut form = Form::new()
        .text("purpose", purpose.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    if let Some(c) = case {
        form = form.text("case", c.to_string());
    }
    if let Some(m) = material {
        form = form.text("material", m.to_string());
    }
    client
        .post(format!("{}/files", app.base))
        .header("Origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A minimal PDF, as a scanner would make one.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

impl TestApp {
    /// The code in the latest verification SMS queued for `phone`, as its owner reads it.
    pub async fn last_code(&self, phone: &str) -> Option<String> {
        let body: Option<String> = sqlx::query_scalar(
            "SELECT body FROM notifications WHERE phone = $1 AND template = 'verification_code'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(&self.pool)
        .await
        .unwrap();
        body.map(|b| b.chars().filter(char::is_ascii_digit).take(6).collect())
    }

    /// Asks for a code as the page does.
    pub async fn send_code(&self, client: &Client, phone: &str, purpose: &str) -> Response {
        self.call_with(
            client,
            "send_code",
            &[("phone", phone), ("purpose", purpose)],
        )
        .await
    }

    /// Registers `phone` the whole way, code included, in `client`'s browser.
    pub async fn register(
        &self,
        client: &Client,
        phone: &str,
        name: &str,
        password: &str,
    ) -> Response {
        let sent = self.send_code(client, phone, "register").await;
        assert!(sent.status().is_success(), "send_code: {}", sent.status());
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let code = self
            .last_code(&digits[digits.len() - 11..])
            .await
            .expect("a code was queued");
        self.call_with(
            client,
            "register",
            &[
                ("phone", phone),
                ("code", &code),
                ("display_name", name),
                ("password", password),
                ("password_confirm", password),
            ],
        )
        .await
    }
}

/// A citizen's application, as the demo applicant fills it in.
pub fn citizen_form(mode: &str) -> Value {
    json!({
        "applicant_kind": "citizen",
        "unit_name": "张秀英",
        "address": "内乡县湍东镇八里营村3组",
        "id_number": "11010519491231002X",
        "handler_name": "张秀英",
        "handler_phone": "13800000001",
        "services": ["window_acceptance", "mail_delivery"],
        "mail_address": "内乡县湍东镇八里营村3组",
        "mail_recipient": "张秀英",
        "mail_phone": "13800000001",
        "mode": mode,
        "terms_accepted": true
    })
}

/// Applies for `item` as the demo applicant; returns the case number.
pub async fn apply(app: &TestApp, item: &str, mode: &str) -> String {
    let applicant = app.client_as("13800000001").await;
    let id = app.item_id(item).await;
    let ctx: Value = app
        .call_with(
            &applicant,
            "cases/apply_context",
            &[("item_id", &id.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .call_json(
            &applicant,
            "cases/submit",
            &json!({"item_id": id, "token": ctx["token"], "form": citizen_form(mode), "signature": signature_data_url(true)}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}
