//! What the latency examples share: a fresh database with the demo data, and the whole app
//! served on a random loopback port.

// Each example uses some of these.
#![allow(dead_code)]

use app::state::AppState;
use server::config::{Config, Mode};
use sqlx::PgPool;

/// Drops and recreates database `name` on the server of `DATABASE_URL`, migrated, with demo data.
pub async fn fresh_demo_database(name: &str) -> (PgPool, String) {
    let admin = std::env::var("DATABASE_URL")
        .unwrap_or("postgres://postgres@127.0.0.1:5432/postgres".into());
    let url = format!(
        "{}/{name}",
        admin.rsplit_once('/').map(|(a, _)| a).unwrap_or(&admin)
    );
    {
        use sqlx::migrate::MigrateDatabase;
        if sqlx::Postgres::database_exists(&url).await.unwrap() {
            sqlx::Postgres::force_drop_database(&url).await.unwrap();
        }
    }
    let pool = server::db::connect(&url).await.unwrap();
    server::db::migrate(&pool).await.unwrap();
    server::sessions::SessionRows::new(pool.clone())
        .migrate()
        .await
        .unwrap();
    server::seed::load(&pool).await.unwrap();
    (pool, url)
}

/// Database `name` as a previous run left it, when it holds at least `rows` rows of `table`
/// (so a run can measure again without loading again); `None` otherwise.
pub async fn existing_database(name: &str, table: &str, rows: i64) -> Option<(PgPool, String)> {
    let admin = std::env::var("DATABASE_URL")
        .unwrap_or("postgres://postgres@127.0.0.1:5432/postgres".into());
    let url = format!(
        "{}/{name}",
        admin.rsplit_once('/').map(|(a, _)| a).unwrap_or(&admin)
    );
    {
        use sqlx::migrate::MigrateDatabase;
        if !sqlx::Postgres::database_exists(&url).await.ok()? {
            return None;
        }
    }
    let pool = server::db::connect(&url).await.ok()?;
    // A database from an older schema is loaded again.
    server::db::migrate(&pool).await.ok()?;
    let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&pool)
        .await
        .ok()?;
    (n >= rows).then_some((pool, url))
}

/// A client logged in as demo account `login` on the app at `base`.
pub async fn logged_in(base: &str, login: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = client
        .post(format!("{base}/api/login"))
        .header("Origin", base)
        .form(&[
            ("login_name", login),
            ("password", server::seed::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "login as {login}");
    client
}

/// The start of a seeding statement's `WITH`: the filed items (with department and center) and
/// the centers, each numbered `k` of `n`, so case `g` takes item and center `g % n`.
pub const ITEMS_AND_CENTERS: &str = "WITH items AS (
            SELECT i.id, i.promised_days, d.id AS department_id, d.center_id,
                   row_number() OVER (ORDER BY i.id) - 1 AS k, count(*) OVER () AS n
            FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
            JOIN departments d ON d.id = l.department_id),
         centers AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM centers),";

/// Serves the app on 127.0.0.1 and returns its base URL.
pub async fn serve(pool: PgPool, url: String) -> String {
    let (live, _listener) = app::live::ssr::Hub::start(pool.clone());
    let state = AppState {
        live,
        leptos_options: server::http::leptos_options("target/site"),
        pool,
        files_dir: std::env::temp_dir().join("bangban-bench-files"),
        public_origin: None,
        trust_proxy: false,
    };
    let config = Config {
        database_url: url,
        mode: Mode::Development,
        files_dir: std::path::PathBuf::new(),
        trust_proxy: false,
        sms_file: std::path::PathBuf::new(),
        sms_gateway: None,
        secure_cookies: false,
        public_origin: None,
    };
    let app = server::http::router(state, &config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        server::http::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
    base
}

/// The tests' helpers for what a browser sends (signatures, the application form).
#[path = "../../tests/suite/common/mod.rs"]
mod common;

/// A signature as the browser's pad sends it.
pub fn signature_data_url() -> String {
    common::signature_data_url(true)
}

/// Submits an application for `item` as the logged-in applicant `client`, through the
/// same server functions the apply page calls; answers the case number.
pub async fn submit(client: &reqwest::Client, base: &str, item: i64) -> String {
    let ctx: serde_json::Value = client
        .post(format!("{base}/api/cases/apply_context"))
        .header("Origin", base)
        .form(&[("item_id", item.to_string())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = client
        .post(format!("{base}/api/cases/submit"))
        .header("Origin", base)
        .json(&serde_json::json!({
            "item_id": item, "token": ctx["token"], "form": citizen_form(),
            "signature": signature_data_url()
        }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "submit: {}", res.status());
    res.json().await.unwrap()
}

/// The application form the tests submit, by proxy.
pub fn citizen_form() -> serde_json::Value {
    common::citizen_form("proxy")
}

/// p50, p99 and size of `rounds` sequential GETs of `path` (one more first, to warm up).
pub async fn sample(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    rounds: usize,
) -> (std::time::Duration, std::time::Duration, usize) {
    let mut samples = Vec::new();
    let mut size = 0;
    for round in 0..=rounds {
        let t = std::time::Instant::now();
        let res = client
            .get(format!("{base}{path}"))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        size = res.bytes().await.unwrap().len();
        if round > 0 {
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    (
        samples[samples.len() / 2],
        samples[(samples.len() * 99 / 100).min(samples.len() - 1)],
        size,
    )
}

/// Grows every department's filed list to `items` items in all, by varying the demo items.
pub async fn grow_catalog(db: impl sqlx::PgExecutor<'_>, items: i64) {
    sqlx::query(
        "INSERT INTO service_items (list_id, seq, name, pre_guidance, item_type, category, promised_days,
                                    remarks, keywords, scope, method, booking_phone, fees)
         SELECT i.list_id, 1000 + g * 100 + i.seq, i.name || '（第' || g || '类）', i.pre_guidance, i.item_type, i.category,
                i.promised_days, i.remarks, i.keywords, i.scope, i.method, i.booking_phone, i.fees
         FROM service_items i CROSS JOIN generate_series(1, $1::int) g
         ORDER BY g, i.id LIMIT $2",
    )
    .bind((items / 40) as i32 + 1)
    .bind(items - 42)
    .execute(db)
    .await
    .unwrap();
}

/// `n` copies of the submitted case `template`, numbered `{template}{tag}1` …, each with its
/// submit event: cases to step through, each as real as the one submission they copy.
pub async fn copy_case(pool: &PgPool, template: &str, tag: &str, n: usize) -> u64 {
    sqlx::query(
        "WITH t AS (SELECT * FROM cases WHERE number = $1),
         copies AS (
             INSERT INTO cases
             SELECT (jsonb_populate_record(NULL::cases, to_jsonb(t) || jsonb_build_object(
                 'id', nextval(pg_get_serial_sequence('cases', 'id')),
                 'number', t.number || $3 || g, 'submission_token', gen_random_uuid()))).*
             FROM t, generate_series(1, $2) g
             RETURNING id, applicant_id, submitted_at)
         INSERT INTO case_events (case_id, actor_id, event, at)
         SELECT id, applicant_id, '{\"kind\": \"submit\"}'::jsonb, submitted_at FROM copies",
    )
    .bind(template)
    .bind(n as i32)
    .bind(tag)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected()
}

/// The daily figures (`clock_days`) the write path would have kept while the loaded clocks
/// stopped.
pub async fn sum_clock_days(db: impl sqlx::PgExecutor<'_>) {
    sqlx::query(
        "INSERT INTO clock_days (day, kind, center_id, department_id, finished, met, stopped, days)
         SELECT (stopped_at AT TIME ZONE 'Asia/Shanghai')::date, kind, center_id,
                coalesce(department_id, 0),
                count(*) FILTER (WHERE limit_days IS NOT NULL),
                count(*) FILTER (WHERE limit_days IS NOT NULL AND NOT breached),
                count(*), sum(used_days)
         FROM case_clocks WHERE stopped_at IS NOT NULL GROUP BY 1, 2, 3, 4",
    )
    .execute(db)
    .await
    .unwrap();
}
