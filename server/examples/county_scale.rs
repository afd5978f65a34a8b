//! A county at scale, measured side by side: `cargo run --release -p server --example
//! county_scale` (needs DATABASE_URL pointing at a server where it may create a database;
//! creates `bangban_county_scale`, and measures a previous run's database again if it is there).
//!
//! Loads 1,000,000 cases over three years with the events a real case in its state has (about
//! 50,000 open, the rest completed, withdrawn or terminated), their clocks, and 10,000 catalog
//! items; then prints, in one run on one machine:
//! - the workbench page (server-rendered, an agent of the county center logged in) beside a
//!   minimal axum + sqlx page rendering 50 rows of the 1M-row table by keyset: requests per
//!   second and p99 at the same concurrency, taking turns over three rounds, and the ratio;
//! - case transitions (receive, then review) from concurrent clients: per second and p99, beside
//!   the database's floor: the writes a step must make, sent straight from sqlx;
//! - a queue's first page beside its last, and the county case list's page 1 beside page 10,000;
//! - the public catalog search and the supervision month view, p99.

mod support;

use futures::future::join_all;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CASES: i64 = 1_000_000;
const DAYS: f64 = 1095.0;
/// Cases submitted within this many days are still open: about 50,000.
const OPEN_DAYS: f64 = 55.0;
const ITEMS: i64 = 10_000;
const CONCURRENCY: usize = 32;
const RUN: Duration = Duration::from_secs(10);
const ROUNDS: usize = 40;

#[tokio::main]
async fn main() {
    const DB: &str = "bangban_county_scale";
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "error".into()))
        .with_writer(std::io::stderr)
        .try_init();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("county_scale on {cores} cores, {CONCURRENCY} concurrent clients, {RUN:?} per run");
    let (pool, url) = match support::existing_database(DB, "cases", CASES).await {
        Some(db) => {
            println!("measuring the {DB} a previous run loaded");
            db
        }
        None => load(support::fresh_demo_database(DB).await).await,
    };
    let base = support::serve(pool.clone(), url.clone()).await;
    let minimal = serve_minimal(server::db::connect(&url).await.unwrap()).await;

    // `COUNTY_SCALE_ONLY=transitions` (or `pages`, `keyset`, `catalog`) measures one part alone,
    // for working on it.
    let only = std::env::var("COUNTY_SCALE_ONLY").ok();
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if part("pages") {
        throughput(&pool, &base, &minimal).await;
    }
    if part("transitions") {
        transitions(&pool, &base).await;
    }
    if part("keyset") {
        pages(&pool, &base).await;
    }
    if part("catalog") {
        catalog_and_month(&base).await;
    }
}

/// Loads cases, events, clocks and items into the fresh database.
async fn load((pool, url): (PgPool, String)) -> (PgPool, String) {
    let started = Instant::now();
    // Bulk loading goes around the per-row triggers (the events' hash chain and live NOTIFY);
    // the chain of these events is not what is measured.
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(&format!(
        "{}
         agents AS (SELECT a.id, a.center_id, row_number() OVER (PARTITION BY a.center_id ORDER BY a.id) - 1 AS k,
                           count(*) OVER (PARTITION BY a.center_id) AS n
                    FROM accounts a WHERE a.role = 'agent' AND a.center_id IS NOT NULL),
         open_states AS (SELECT s, row_number() OVER () - 1 AS k, count(*) OVER () AS n FROM unnest(ARRAY['submitted',
             'received', 'awaiting_supplement', 'materials_complete', 'handed_over', 'submitted_to_window',
             'accepted_by_window', 'result_issued']) s),
         g AS (SELECT g, (g * 2654435761) % 1000 AS h, now() - (g::float8 / $1 * $2) * interval '1 day' AS t
               FROM generate_series(1, $1::bigint) g),
         placed AS (SELECT g.*, it.id AS item_id, it.department_id, it.promised_days,
                           CASE WHEN g.h < 400 THEN it.center_id ELSE ce.id END AS center_id,
                           g.t > now() - $3 * interval '1 day' AS open
                    FROM g JOIN items it ON it.k = g.g % it.n JOIN centers ce ON ce.k = g.g % ce.n)
         INSERT INTO cases (number, applicant_id, item_id, center_id, intake_center_id, department_id,
             agent_id, channel, mode, state, application, applicant_kind, unit_name, handler_phone,
             submission_token, submitted_at, received_at, closed_at, delivery_mode)
         SELECT '411325-SCALE-' || p.g, (SELECT id FROM accounts WHERE login_name = '13800000001'), p.item_id,
                p.center_id, p.center_id, p.department_id,
                CASE WHEN NOT p.open OR st.s <> 'submitted' THEN ag.id END,
                (ARRAY['online', 'phone', 'walk_in'])[1 + p.g % 3], CASE WHEN p.g % 2 = 0 THEN 'proxy' ELSE 'assist' END,
                CASE WHEN p.open THEN st.s WHEN p.h < 50 THEN 'withdrawn' WHEN p.h < 80 THEN 'terminated' ELSE 'completed' END,
                '{{}}'::jsonb, CASE WHEN p.h % 3 = 0 THEN 'enterprise' ELSE 'citizen' END, '申请人' || p.g,
                '13800000001', gen_random_uuid(), p.t,
                CASE WHEN NOT p.open OR st.s <> 'submitted' THEN p.t + interval '2 hours' END,
                CASE WHEN NOT p.open THEN p.t + (3 + p.g % 20) * interval '1 day' END,
                CASE WHEN NOT p.open AND p.h >= 80 THEN (ARRAY['window_pickup', 'door', 'mail'])[1 + p.g % 3] END
         FROM placed p
         JOIN open_states st ON st.k = p.g % st.n
         LEFT JOIN agents ag ON ag.center_id = p.center_id AND ag.k = (p.g / 7) % ag.n",
        support::ITEMS_AND_CENTERS
    ))
    .bind(CASES)
    .bind(DAYS)
    .bind(OPEN_DAYS)
    .execute(&mut *conn)
    .await
    .unwrap();
    println!("  cases loaded in {:.0} s", started.elapsed().as_secs_f64());

    // Each case's events, six hours apart, as its state says it went.
    sqlx::query(
        "INSERT INTO case_events (case_id, actor_id, event, at, prev_hash, hash)
         SELECT c.id, CASE WHEN e.n = 1 THEN c.applicant_id ELSE coalesce(c.agent_id, c.applicant_id) END,
                CASE WHEN e.kind IN ('withdraw', 'terminate') THEN jsonb_build_object('kind', e.kind, 'reason', '申请人要求')
                     ELSE jsonb_build_object('kind', e.kind) END,
                c.submitted_at + (e.n - 1) * interval '6 hours', '', 'bulk-loaded'
         FROM cases c CROSS JOIN LATERAL unnest(CASE c.state
             WHEN 'submitted' THEN ARRAY['submit']
             WHEN 'received' THEN ARRAY['submit', 'receive']
             WHEN 'awaiting_supplement' THEN ARRAY['submit', 'receive', 'review_missing']
             WHEN 'materials_complete' THEN ARRAY['submit', 'receive', 'review_complete']
             WHEN 'handed_over' THEN ARRAY['submit', 'receive', 'review_complete', 'handover']
             WHEN 'submitted_to_window' THEN ARRAY['submit', 'receive', 'review_complete', 'handover', 'submit_to_window']
             WHEN 'accepted_by_window' THEN ARRAY['submit', 'receive', 'review_complete', 'handover', 'submit_to_window', 'window_accept']
             WHEN 'result_issued' THEN ARRAY['submit', 'receive', 'review_complete', 'handover', 'submit_to_window', 'window_accept', 'issue_result']
             WHEN 'withdrawn' THEN ARRAY['submit', 'withdraw']
             WHEN 'terminated' THEN ARRAY['submit', 'receive', 'terminate']
             ELSE ARRAY['submit', 'receive', 'review_complete', 'submit_to_window', 'window_accept', 'issue_result', 'complete'] END)
             WITH ORDINALITY AS e (kind, n)
         WHERE c.number LIKE '411325-SCALE-%'",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    println!(
        "  events loaded at {:.0} s",
        started.elapsed().as_secs_f64()
    );

    // Finished cases' clocks as the write path leaves them (stopped, some late), and the daily
    // figures it keeps; open cases get theirs from the write path's own reckoning below.
    sqlx::query(
        "INSERT INTO case_clocks (case_id, seq, kind, nth, center_id, agent_id, department_id,
             item_lineage, started_at, stopped_at, limit_days, due_at, used_days, breached)
         SELECT c.id, s.seq, s.kind, s.nth, c.center_id, c.agent_id, c.department_id, i.lineage,
                c.submitted_at + s.start_day * interval '1 day',
                c.submitted_at + (s.start_day + s.days) * interval '1 day',
                s.lim, CASE WHEN s.lim IS NOT NULL THEN c.submitted_at + (s.start_day + s.lim) * interval '1 day' END,
                s.days, s.late
         FROM cases c JOIN service_items i ON i.id = c.item_id
         CROSS JOIN LATERAL (VALUES
             (0, 'agent_review', 1, 0, 1, 1, c.id % 20 = 0 AND c.state <> 'withdrawn'),
             (1, 'agent_hand_in', 1, 1, 2, 1 + (c.id % 12 = 0)::int * 2, c.id % 12 = 0),
             (2, 'department_processing', 1, 3, greatest(i.promised_days, 1),
                 greatest(i.promised_days, 1) - 1 + (c.id % 33 = 0)::int * 3, c.id % 33 = 0)
         ) AS s (seq, kind, nth, start_day, lim, days, late)
         WHERE c.closed_at IS NOT NULL AND (s.seq = 0 OR c.state NOT IN ('withdrawn', 'terminated'))",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    support::sum_clock_days(&mut *conn).await;
    // 10,000 catalog items, by varying the demo items over every department's filed list.
    support::grow_catalog(&mut *conn, ITEMS).await;
    // The connection goes, not back to the pool: its triggers are off.
    sqlx::Connection::close(conn.detach()).await.unwrap();
    println!(
        "  clocks and items loaded at {:.0} s",
        started.elapsed().as_secs_f64()
    );

    // The open cases' due dates and running clocks, reckoned by the write path itself: what an
    // administrator's calendar edit sets off.
    sqlx::query("UPDATE calendar_refresh SET pending_since = now()")
        .execute(&pool)
        .await
        .unwrap();
    let refresh = Instant::now();
    let n = app::case_log::ssr::refresh_open_cases(&pool)
        .await
        .unwrap()
        .unwrap_or(0);
    println!(
        "  calendar-edit refresh of {n} open cases: {:.1} s ({:.0} cases/s)",
        refresh.elapsed().as_secs_f64(),
        n as f64 / refresh.elapsed().as_secs_f64()
    );
    sqlx::query("VACUUM ANALYZE").execute(&pool).await.unwrap();
    let (cases, open, events): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM cases WHERE closed_at IS NULL),
                (SELECT count(*) FROM case_events)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    println!(
        "loaded {cases} cases ({open} open), {events} events in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    (pool, url)
}

/// The yardstick: a bare axum + sqlx page of 50 rows of `cases` after a key.
async fn serve_minimal(pool: PgPool) -> String {
    use axum::extract::{Query, State};
    use axum::response::Html;
    #[derive(serde::Deserialize)]
    struct After {
        after: i64,
    }
    async fn rows(State(pool): State<PgPool>, Query(a): Query<After>) -> Html<String> {
        let rows: Vec<(i64, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
            "SELECT id, number, state, submitted_at FROM cases WHERE id > $1 ORDER BY id LIMIT 50",
        )
        .bind(a.after)
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut html = String::from("<!DOCTYPE html><html><body><table>");
        for (id, number, state, at) in rows {
            html.push_str(&format!(
                "<tr><td>{id}</td><td>{number}</td><td>{state}</td><td>{}</td></tr>",
                at.format("%Y-%m-%d %H:%M")
            ));
        }
        html.push_str("</table></body></html>");
        Html(html)
    }
    let app = axum::Router::new()
        .route("/rows", axum::routing::get(rows))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// What `CONCURRENCY` clients, each repeating `request` for `RUN`, achieved.
struct Figures {
    done: usize,
    failed: usize,
    rate: f64,
    p50: Duration,
    p99: Duration,
}

async fn hammer<F, Fut>(clients: Vec<reqwest::Client>, request: F) -> Figures
where
    F: Fn(reqwest::Client, usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    hammer_for(RUN, clients, Arc::new(request)).await
}

/// `hammer` for `run`, with a request shared between runs.
async fn hammer_for<C, F, Fut>(run: Duration, clients: Vec<C>, request: Arc<F>) -> Figures
where
    C: Clone + Send + 'static,
    F: Fn(C, usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = Instant::now();
    let workers = clients.into_iter().enumerate().map(|(w, client)| {
        let request = request.clone();
        tokio::spawn(async move {
            let (mut samples, mut failed, mut i) = (Vec::new(), 0, 0);
            while start.elapsed() < run {
                let t = Instant::now();
                if request(client.clone(), w, i).await {
                    samples.push(t.elapsed());
                } else {
                    failed += 1;
                }
                i += 1;
            }
            (samples, failed)
        })
    });
    let mut all = Vec::new();
    let mut failed = 0;
    for r in join_all(workers).await {
        let (s, f) = r.unwrap();
        all.extend(s);
        failed += f;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Figures {
        done: all.len(),
        failed,
        rate: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(name: &str, f: &Figures) {
    println!(
        "  {name:<34} {:>8.0}/s  p50 {:>7.1} ms  p99 {:>7.1} ms  ({} done, {} failed)",
        f.rate,
        ms(f.p50),
        ms(f.p99),
        f.done,
        f.failed
    );
}

async fn throughput(pool: &PgPool, base: &str, minimal: &str) {
    println!("pages under load:");
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c JOIN accounts a ON a.login_name = 'agent01'
         WHERE c.closed_at IS NULL AND c.center_id = a.center_id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let mut agents = Vec::new();
    for _ in 0..CONCURRENCY {
        agents.push(support::logged_in(base, "agent01").await);
    }
    let url = format!("{base}/workbench");
    let workbench = Arc::new(move |c: reqwest::Client, _, _| {
        let url = url.clone();
        async move {
            match c.get(&url).header("Accept", "text/html").send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            }
        }
    });
    let plain: Vec<reqwest::Client> = (0..CONCURRENCY).map(|_| reqwest::Client::new()).collect();
    let url = format!("{minimal}/rows");
    let bare = Arc::new(move |c: reqwest::Client, w: usize, i: usize| {
        let url = url.clone();
        // Keys spread over the whole table.
        let after = ((w * 7919 + i * 104_729) % CASES as usize) as i64;
        async move {
            match c.get(format!("{url}?after={after}")).send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            }
        }
    });
    // The two pages take turns, so that what else the machine does at one moment (a
    // checkpoint, another program) weighs on both alike; the ratio is each round's, and the
    // middle one of them is the figure.
    let run = RUN / 2;
    // Unreported, first: each side's pool opens its connections and prepares its statements.
    let warm = Duration::from_secs(1);
    hammer_for(warm, agents.clone(), workbench.clone()).await;
    hammer_for(warm, plain.clone(), bare.clone()).await;
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let w = hammer_for(run, agents.clone(), workbench.clone()).await;
        report(&format!("workbench ({open} open), round {round}"), &w);
        let b = hammer_for(run, plain.clone(), bare.clone()).await;
        report(&format!("minimal 50 rows, round {round}"), &b);
        ratios.push(100.0 * w.rate / b.rate);
    }
    let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.1} %")).collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "  workbench / minimal by round: {}; middle {:.1} % (goal ≥ 50 %)",
        shown.join(", "),
        ratios[1]
    );
}

/// Fresh submitted cases for the transition run: one real submission through the app,
/// copied with new numbers (so every receive and review below is the app's real step).
async fn transitions(pool: &PgPool, base: &str) {
    const PER_CLIENT: usize = 400;
    let applicant = support::logged_in(base, "13800000001").await;
    let item: i64 = sqlx::query_scalar(
        "SELECT i.id FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         WHERE i.name = '建设工程规划许可证'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    remove_copies(pool, "411325-2%-T%").await;
    let number = support::submit(&applicant, base, item).await;
    let made = support::copy_case(pool, &number, "-T", CONCURRENCY * PER_CLIENT).await;
    let sig = support::signature_data_url();
    let mut agents = Vec::new();
    for _ in 0..CONCURRENCY {
        agents.push(support::logged_in(base, "agent01").await);
    }
    let base_url = base.to_string();
    // Each client works its own cases in turn: the page's context, receive, review. Only the
    // two steps are timed and counted.
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let timings = Arc::new(std::sync::Mutex::new(Vec::<Duration>::new()));
    let (c2, t2, template) = (counter.clone(), timings.clone(), number.clone());
    // (A mark for a profiler attached to this run: the timed steps begin.)
    eprintln!("transitions: running");
    let f = hammer(agents, move |c, w, i| {
        let (base, sig, number) = (base_url.clone(), sig.clone(), template.clone());
        let (counter, timings) = (c2.clone(), t2.clone());
        async move {
            let n = format!("{number}-T{}", w * PER_CLIENT + i + 1);
            if i >= PER_CLIENT {
                tokio::time::sleep(Duration::from_millis(10)).await;
                return false;
            }
            let ctx: Value = match c
                .post(format!("{base}/api/work/context"))
                .header("Origin", &base)
                .form(&[("number", n.as_str())])
                .send()
                .await
            {
                Ok(r) => r.json().await.unwrap_or_default(),
                Err(_) => return false,
            };
            let checks: Vec<Value> = ctx["materials"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .map(|m| json!({"name": m["name"], "status": "received"}))
                        .collect()
                })
                .unwrap_or_default();
            let mut version = ctx["version"].as_i64().unwrap_or(0);
            for action in [
                json!({"action": "receive", "signature": sig}),
                json!({"action": "review", "checks": checks}),
            ] {
                let t = Instant::now();
                let res = c
                    .post(format!("{base}/api/work/act"))
                    .header("Origin", &base)
                    .json(&json!({"number": n, "version": version, "action": action}))
                    .send()
                    .await;
                let Ok(res) = res else { return false };
                if !res.status().is_success() {
                    eprintln!("{n}: {}", res.text().await.unwrap_or_default());
                    return false;
                }
                version = res.json::<i64>().await.unwrap_or(version + 1);
                timings.lock().unwrap().push(t.elapsed());
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            true
        }
    })
    .await;
    let mut t = timings.lock().unwrap().clone();
    t.sort();
    let steps = counter.load(std::sync::atomic::Ordering::Relaxed);
    let rate = steps as f64 / RUN.as_secs_f64();
    println!("case transitions ({made} submitted cases ready, {CONCURRENCY} clients):");
    println!(
        "  receive + review                   {:>8.0}/s  p50 {:>7.1} ms  p99 {:>7.1} ms  ({steps} steps; goal ≥ 2,000/s, p99 ≤ 20 ms)",
        rate,
        ms(t.get(t.len() / 2).copied().unwrap_or_default()),
        ms(t.get((t.len() * 99 / 100).min(t.len().saturating_sub(1))).copied().unwrap_or_default()),
    );
    let _ = f;
    let copies = format!("{number}-T%");
    let floor = database_floor(pool, &copies).await;
    report("the same writes from sqlx alone", &floor);
    println!(
        "  the app's steps per second as a share of the database's floor: {:.1} %",
        100.0 * rate / floor.rate
    );
    remove_copies(pool, &copies).await;
}

/// The floor under a step: the writes every step must make, sent straight from sqlx by as many
/// clients over a pool as large as the server's, with no app in between: lock the case, read
/// its past, move it with its event (the hash chain and the live announcement fire) and the
/// applicant's two messages, commit. What the app reaches is measured against this.
async fn database_floor(pool: &PgPool, pattern: &str) -> Figures {
    let cases: Arc<Vec<(i64, i64)>> = Arc::new(
        sqlx::query_as("SELECT id, applicant_id FROM cases WHERE number LIKE $1 ORDER BY id")
            .bind(pattern)
            .fetch_all(pool)
            .await
            .unwrap(),
    );
    let actor: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = 'agent01'")
        .fetch_one(pool)
        .await
        .unwrap();
    let step = move |pool: PgPool, w: usize, i: usize| {
        let cases = cases.clone();
        async move {
            // Each client its own cases, in turn (none ready: every step fails, reported).
            let share = cases.len() / CONCURRENCY;
            let Some(&(id, applicant)) = cases.get(w * share + i % share.max(1)) else {
                return false;
            };
            let run = async {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT version FROM cases WHERE id = $1 FOR UPDATE")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query("SELECT event, at FROM case_events WHERE case_id = $1 ORDER BY at, id")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                sqlx::query(
                    "WITH moved AS (
                         UPDATE cases SET version = version + 1, state = state,
                                due_at = due_at, warn_at = warn_at
                         WHERE id = $1),
                     added AS (
                         INSERT INTO case_events (case_id, actor_id, event, details)
                         VALUES ($1, $2, '{\"kind\": \"review\"}', '{\"checks\": []}')),
                     in_app AS (
                         INSERT INTO notifications (account_id, case_id, channel, template, body, status, sent_at)
                         VALUES ($3, $1, 'in_app', 'materials_complete', '您的材料已齐全', 'sent', now()))
                     INSERT INTO notifications (account_id, case_id, channel, phone, template, body)
                     VALUES ($3, $1, 'sms', '13800000001', 'materials_complete', '您的材料已齐全')",
                )
                .bind(id)
                .bind(actor)
                .bind(applicant)
                .execute(&mut *tx)
                .await?;
                tx.commit().await
            };
            run.await.is_ok()
        }
    };
    hammer_for(RUN, vec![pool.clone(); CONCURRENCY], Arc::new(step)).await
}

/// Removes the transition run's cases, so the next run measures the same county.
async fn remove_copies(pool: &PgPool, pattern: &str) {
    let mut conn = pool.acquire().await.unwrap().detach();
    for sql in [
        "SET session_replication_role = replica",
        "DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE number LIKE $1)",
        "DELETE FROM case_clocks WHERE case_id IN (SELECT id FROM cases WHERE number LIKE $1)",
        "DELETE FROM stored_files WHERE case_id IN (SELECT id FROM cases WHERE number LIKE $1)",
        "DELETE FROM cases WHERE number LIKE $1",
    ] {
        let q = sqlx::query(sql);
        let q = if sql.contains("$1") {
            q.bind(pattern)
        } else {
            q
        };
        q.execute(&mut conn).await.unwrap();
    }
    // Thousands of rows deleted at once leave dead index entries that every later query would
    // step over until autovacuum came by: the next phase measures the county, not this run's
    // leftovers. (A county's own churn is a few rows at a time, which autovacuum keeps up with.)
    sqlx::query("VACUUM (ANALYZE) cases, case_events, case_clocks, stored_files")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::Connection::close(conn).await.unwrap();
}

async fn sample(client: &reqwest::Client, base: &str, path: &str) -> (Duration, Duration, usize) {
    support::sample(client, base, path, ROUNDS).await
}

fn line(name: &str, (p50, p99, size): (Duration, Duration, usize)) {
    println!(
        "  {name:<34} {size:>8} B  p50 {:>7.1} ms  p99 {:>7.1} ms",
        ms(p50),
        ms(p99)
    );
}

async fn pages(pool: &PgPool, base: &str) {
    println!("keyset pages:");
    let agent = support::logged_in(base, "agent01").await;
    // The county center's unassigned queue: its first page and its last.
    let last: (Option<chrono::DateTime<chrono::Utc>>, i64, i64) = sqlx::query_as(
        "WITH q AS (SELECT c.due_at, c.id, row_number() OVER (ORDER BY coalesce(c.due_at, 'infinity'), c.id) AS r,
                           count(*) OVER () AS n
                    FROM cases c JOIN accounts a ON a.login_name = 'agent01'
                    WHERE c.closed_at IS NULL AND c.center_id = a.center_id AND c.agent_id IS NULL)
         SELECT due_at, id, n FROM q WHERE r = greatest(n - 50, 1)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let after = match last.0 {
        Some(d) => format!("&after_due={}", d.to_rfc3339().replace('+', "%2B")),
        None => String::new(),
    };
    let first = sample(&agent, base, "/workbench?q=unassigned").await;
    let end = sample(
        &agent,
        base,
        &format!("/workbench?q=unassigned{after}&after_id={}", last.1),
    )
    .await;
    line("workbench queue, page 1", first);
    line(&format!("workbench queue, page {}", last.2 / 50), end);
    println!(
        "  last / first page p50: {:.2}× (goal ≤ 2×)",
        end.0.as_secs_f64() / first.0.as_secs_f64()
    );

    let supervisor = support::logged_in(base, "supervisor01").await;
    let (at, id): (chrono::DateTime<chrono::Utc>, i64) = sqlx::query_as(
        "SELECT submitted_at, id FROM cases ORDER BY submitted_at DESC, id DESC OFFSET $1 LIMIT 1",
    )
    .bind(shared::supervision::PAGE_SIZE as i64 * 9_999 - 1)
    .fetch_one(pool)
    .await
    .unwrap();
    let cursor = format!("{}_{id}", at.timestamp_micros());
    let first = sample(&supervisor, base, "/supervision/cases?from=2020-01-01").await;
    let deep = sample(
        &supervisor,
        base,
        &format!("/supervision/cases?from=2020-01-01&after={cursor}"),
    )
    .await;
    line("county case list, page 1", first);
    line("county case list, page 10,000", deep);
    println!(
        "  page 10,000 / page 1 p50: {:.2}× (goal ≤ 2×)",
        deep.0.as_secs_f64() / first.0.as_secs_f64()
    );
}

async fn catalog_and_month(base: &str) {
    println!("catalog and supervision:");
    let client = reqwest::Client::new();
    let mut samples = Vec::new();
    for round in 0..=ROUNDS {
        for q in ["营业执照", "施工许可", "低保", "登记", "不存在的事项"] {
            let t = Instant::now();
            let res = client
                .post(format!("{base}/api/catalog/search"))
                .header("Origin", base)
                .form(&[
                    ("q", q),
                    ("category", ""),
                    ("center", ""),
                    ("item_type", ""),
                ])
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success());
            let _ = res.bytes().await.unwrap();
            if round > 0 {
                samples.push(t.elapsed());
            }
        }
    }
    samples.sort();
    println!(
        "  catalog search, {ITEMS} items        p50 {:>7.1} ms  p99 {:>7.1} ms",
        ms(samples[samples.len() / 2]),
        ms(samples[(samples.len() * 99 / 100).min(samples.len() - 1)])
    );
    let supervisor = support::logged_in(base, "supervisor01").await;
    let today = shared::clocks::local_date(chrono::Utc::now());
    let month = shared::supervision::Period::month_of(today).shifted(false);
    line(
        "supervision month by department",
        sample(
            &supervisor,
            base,
            &format!("/supervision?{}&by=department", month.query()),
        )
        .await,
    );
}
