//! The client side of the fault test (`scripts/faults.sh` runs it; read that first). Drives
//! case steps and submissions against every server in `FAULT_BASES` from concurrent clients
//! while the script kills a server and restarts PostgreSQL, remembers every write a server
//! acknowledged, and afterwards checks against the database that each one is there and that
//! nothing is half-applied. With `--disk-full <base>` it instead uploads to a server whose
//! files folder is full and checks the answer and the folder.

mod support;

use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request that takes longer than this counts as a hang.
const HANG: Duration = Duration::from_secs(15);
const STEP_CLIENTS: usize = 12;
const SUBMIT_CLIENTS: usize = 4;
const PER_CLIENT: usize = 300;

#[derive(Default)]
struct Log {
    /// Case number → the highest version a server acknowledged for it.
    acked_steps: BTreeMap<String, i64>,
    steps: usize,
    /// Case numbers a server answered a submission with.
    acked_submissions: Vec<String>,
    /// What clients met while something was down: kind → count.
    errors: BTreeMap<String, usize>,
    hangs: usize,
    /// The slowest failed request: how long a client waited to learn of a failure.
    slowest_failure: Duration,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--disk-full") {
        return disk_full(&args[i + 1]).await;
    }
    let bases: Vec<String> = std::env::var("FAULT_BASES")
        .expect("FAULT_BASES: the servers' addresses, comma-separated")
        .split(',')
        .map(str::to_string)
        .collect();
    let seconds: u64 = std::env::var("FAULT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let pool = server::db::connect(&std::env::var("DATABASE_URL").unwrap())
        .await
        .unwrap();
    let started = Instant::now();
    let log = Arc::new(Mutex::new(Log::default()));
    let readiness = Arc::new(Mutex::new(Vec::<(String, f64, bool)>::new()));
    let run = Duration::from_secs(seconds);

    // Cases to work on: one real submission, copied (as the benchmark does).
    let applicant = support::logged_in(&bases[0], "13800000001").await;
    let item = item_id(&pool, "建设工程规划许可证").await;
    let template = support::submit(&applicant, &bases[0], item).await;
    support::copy_case(&pool, &template, "-F", STEP_CLIENTS * PER_CLIENT).await;
    println!("fault load: {STEP_CLIENTS} clients stepping cases, {SUBMIT_CLIENTS} submitting, over {} servers, {seconds} s", bases.len());

    let mut tasks = Vec::new();
    // Readiness of every server, four times a second.
    for base in bases.clone() {
        let readiness = readiness.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .unwrap();
            let mut last = None;
            while started.elapsed() < run + Duration::from_secs(5) {
                let ready = matches!(client.get(format!("{base}/readyz")).send().await,
                    Ok(r) if r.status().is_success());
                if last != Some(ready) {
                    readiness.lock().unwrap().push((
                        base.clone(),
                        started.elapsed().as_secs_f64(),
                        ready,
                    ));
                    last = Some(ready);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }));
    }
    let sig = support::signature_data_url();
    for w in 0..STEP_CLIENTS {
        let base = bases[w % bases.len()].clone();
        let (log, sig, template) = (log.clone(), sig.clone(), template.clone());
        tasks.push(tokio::spawn(async move {
            let client = login(&base, "agent01").await;
            let mut i = 0;
            while started.elapsed() < run && i < PER_CLIENT {
                let number = format!("{template}-F{}", w * PER_CLIENT + i + 1);
                if step_case(&client, &base, &number, &sig, &log).await {
                    i += 1;
                } else {
                    // Something is down: wait a little, then go on with the same case (it
                    // may be half-way; the context says where it is).
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }
    let items: Vec<i64> = sqlx::query_scalar(
        "SELECT i.id FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         JOIN departments d ON d.id = l.department_id
         WHERE i.name NOT LIKE '%（%' ORDER BY i.id LIMIT $1",
    )
    .bind(SUBMIT_CLIENTS as i64)
    .fetch_all(&pool)
    .await
    .unwrap();
    for (w, item) in items.into_iter().enumerate() {
        let base = bases[w % bases.len()].clone();
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let client = login(&base, "13800000001").await;
            while started.elapsed() < run {
                if !submit(&client, &base, item, &log).await {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    let log = Arc::try_unwrap(log).ok().unwrap().into_inner().unwrap();
    println!("while it ran:");
    for (base, at, ready) in readiness.lock().unwrap().iter() {
        println!(
            "  {at:>6.1} s  {base}/readyz {}",
            if *ready { "true" } else { "false" }
        );
    }
    println!(
        "  {} steps and {} submissions acknowledged; {} hangs (> {HANG:?}); slowest failure answered in {:.1} s",
        log.steps,
        log.acked_submissions.len(),
        log.hangs,
        log.slowest_failure.as_secs_f64()
    );
    for (kind, n) in &log.errors {
        println!("  {n:>6} × {kind}");
    }
    let failures = verify(&pool, &log).await;
    if failures > 0 || log.hangs > 0 {
        println!(
            "FAULT TEST FAILED: {failures} problems, {} hangs",
            log.hangs
        );
        std::process::exit(1);
    }
    println!("fault test passed: every acknowledged write is in the database, none half-applied");
}

async fn item_id(pool: &PgPool, name: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT i.id FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         WHERE i.name = $1",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Logs in, retrying while the server or the database is down.
async fn login(base: &str, who: &str) -> reqwest::Client {
    loop {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(HANG)
            .build()
            .unwrap();
        let res = client
            .post(format!("{base}/api/login"))
            .header("Origin", base)
            .form(&[
                ("login_name", who),
                ("password", server::seed::DEMO_PASSWORD),
            ])
            .send()
            .await;
        if matches!(res, Ok(r) if r.status().is_success()) {
            return client;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// What a failed request met, in words a person would use.
fn failed(log: &Mutex<Log>, t: Instant, what: String) {
    let mut log = log.lock().unwrap();
    log.slowest_failure = log.slowest_failure.max(t.elapsed());
    *log.errors.entry(what).or_default() += 1;
}

/// Sends `req`; answers the body of a 2xx, or records what the client met.
async fn send(req: reqwest::RequestBuilder, log: &Mutex<Log>, what: &str) -> Option<Value> {
    let t = Instant::now();
    match req.send().await {
        Ok(r) if r.status().is_success() => r.json().await.ok(),
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            // The message the page would show (a server function's error, or the page's).
            let message: String = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| {
                    v.as_object()
                        .and_then(|o| o.values().next().cloned())
                        .and_then(|m| m.as_str().map(str::to_string))
                        .or_else(|| v.as_str().map(str::to_string))
                })
                .unwrap_or_else(|| body.chars().take(40).collect());
            failed(log, t, format!("{what}: HTTP {status} {message}"));
            None
        }
        Err(e) if e.is_timeout() => {
            log.lock().unwrap().hangs += 1;
            failed(log, t, format!("{what}: no answer within {HANG:?}"));
            None
        }
        Err(e) if e.is_connect() => {
            failed(log, t, format!("{what}: connection refused (server down)"));
            None
        }
        Err(_) => {
            failed(log, t, format!("{what}: connection dropped mid-request"));
            None
        }
    }
}

/// Takes case `number` from wherever it is to materials complete; answers whether it got there.
async fn step_case(
    c: &reqwest::Client,
    base: &str,
    number: &str,
    sig: &str,
    log: &Mutex<Log>,
) -> bool {
    let ctx = send(
        c.post(format!("{base}/api/work/context"))
            .header("Origin", base)
            .form(&[("number", number)]),
        log,
        "context",
    )
    .await;
    let Some(ctx) = ctx else { return false };
    let allowed: Vec<&str> = ctx["allowed"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let action = if allowed.contains(&"receive") {
        json!({"action": "receive", "signature": sig})
    } else if allowed.contains(&"review_complete") {
        let checks: Vec<Value> = ctx["materials"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|m| json!({"name": m["name"], "status": "received"}))
                    .collect()
            })
            .unwrap_or_default();
        json!({"action": "review", "checks": checks})
    } else {
        return true; // done (a step acknowledged before a fault, or this run's last)
    };
    let version = ctx["version"].as_i64().unwrap_or(0);
    let res = send(
        c.post(format!("{base}/api/work/act"))
            .header("Origin", base)
            .json(&json!({"number": number, "version": version, "action": action})),
        log,
        "step",
    )
    .await;
    if let Some(v) = res.and_then(|v| v.as_i64()) {
        let mut log = log.lock().unwrap();
        log.steps += 1;
        let e = log.acked_steps.entry(number.to_string()).or_default();
        *e = (*e).max(v);
    }
    false // go round again: the next step of the same case, or "done"
}

async fn submit(c: &reqwest::Client, base: &str, item: i64, log: &Mutex<Log>) -> bool {
    let Some(ctx) = send(
        c.post(format!("{base}/api/cases/apply_context"))
            .header("Origin", base)
            .form(&[("item_id", item.to_string())]),
        log,
        "apply form",
    )
    .await
    else {
        return false;
    };
    let res = send(
        c.post(format!("{base}/api/cases/submit"))
            .header("Origin", base)
            .json(&json!({
                "item_id": item, "token": ctx["token"], "form": support::citizen_form(),
                "signature": support::signature_data_url()
            })),
        log,
        "submission",
    )
    .await;
    match res.and_then(|v| v.as_str().map(str::to_string)) {
        Some(number) => {
            log.lock().unwrap().acked_submissions.push(number);
            true
        }
        None => false,
    }
}

/// Every acknowledged write is there; every case's version matches its events; the event and
/// audit chains are intact; every stored file is on disk. Answers the number of problems.
async fn verify(pool: &PgPool, log: &Log) -> usize {
    let mut problems = 0;
    for (number, acked) in &log.acked_steps {
        let version: Option<i32> =
            sqlx::query_scalar("SELECT version FROM cases WHERE number = $1")
                .bind(number)
                .fetch_optional(pool)
                .await
                .unwrap();
        if version.is_none_or(|v| (v as i64) < *acked) {
            println!("  LOST: step to version {acked} of {number} (database has {version:?})");
            problems += 1;
        }
    }
    for number in &log.acked_submissions {
        let events: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id
             WHERE c.number = $1 AND e.event->>'kind' = 'submit'",
        )
        .bind(number)
        .fetch_one(pool)
        .await
        .unwrap();
        if events != 1 {
            println!("  LOST: submission {number} ({events} submit events)");
            problems += 1;
        }
    }
    let half: Vec<(String, i32, i64)> = sqlx::query_as(
        "SELECT c.number, c.version, count(e.id) FROM cases c LEFT JOIN case_events e ON e.case_id = c.id
         GROUP BY c.id HAVING c.version <> count(e.id) LIMIT 20",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (number, version, events) in &half {
        println!("  HALF-APPLIED: {number} is at version {version} with {events} events");
        problems += 1;
    }
    // A step's signature is recorded with the step: none without its event.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stored_files f WHERE f.purpose = 'signature' AND f.case_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = f.case_id
                           AND (e.details->>'signature_file')::bigint = f.id)
           AND f.original_name = '代办人签名.png'",
    )
    .fetch_one(pool)
    .await
    .unwrap_or(0);
    if orphans > 0 {
        println!("  HALF-APPLIED: {orphans} agent signatures without their step");
        problems += 1;
    }
    match app::audit::ssr::verify(pool).await {
        Ok(app::audit::ssr::Verdict::Intact {
            audit_rows, events, ..
        }) => {
            println!("  chains intact: {audit_rows} audit records, {events} case events")
        }
        Ok(v) => {
            println!("  CHAIN BROKEN: {v}");
            problems += 1;
        }
        Err(e) => {
            println!("  chain check failed: {e}");
            problems += 1;
        }
    }
    if let Ok(dir) = std::env::var("BANGBAN_FILES_DIR") {
        let names: Vec<String> = sqlx::query_scalar("SELECT stored_name FROM stored_files")
            .fetch_all(pool)
            .await
            .unwrap();
        let missing = names
            .iter()
            .filter(|n| !std::path::Path::new(&dir).join(n).exists())
            .count();
        println!("  {} stored files, {missing} missing on disk", names.len());
        problems += missing;
    }
    problems
}

/// Uploads to `base`, whose files folder is full: a clear refusal, and no partial file left.
async fn disk_full(base: &str) {
    let dir = std::env::var("BANGBAN_FILES_DIR").expect("BANGBAN_FILES_DIR of that server");
    let before: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let client = support::logged_in(base, "13800000001").await;
    // A 1 MB PDF: more than the folder has room for.
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(1024 * 1024, b' ');
    let form = reqwest::multipart::Form::new()
        .text("purpose", "material")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf)
                .file_name("营业执照.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let t = Instant::now();
    let res = client
        .post(format!("{base}/files"))
        .header("Origin", base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    let after: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    println!(
        "disk full: upload answered HTTP {status} in {:.2} s: {body}",
        t.elapsed().as_secs_f64()
    );
    println!(
        "  files in the folder before {}, after {}",
        before.len(),
        after.len()
    );
    let clear = body.contains("存储空间");
    if status.is_success() || !clear || after.len() != before.len() {
        println!("FAULT TEST FAILED: a full disk must refuse clearly and leave nothing behind");
        std::process::exit(1);
    }
    println!("disk-full test passed");
}
