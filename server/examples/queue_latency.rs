//! Workbench queue latency with 100,000 open cases: `cargo run --release -p server --example
//! queue_latency` (needs DATABASE_URL pointing at a server where it may create a database).
//! Prints p50/p99 of the queue server function for each queue, measured over HTTP on loopback
//! as the county center's agent (who sees the most cases).

mod support;

use std::time::{Duration, Instant};

const CASES: i32 = 100_000;
const ROUNDS: usize = 30;

#[tokio::main]
async fn main() {
    let (pool, url) = support::fresh_demo_database("bangban_queue_latency").await;

    // 100,000 open cases over every published item, spread over the centers (about a third at
    // the county center), in every open state, with due dates from 10 days ago to 10 days ahead
    // and the events a real case in that state would have.
    let started = Instant::now();
    sqlx::query(&format!(
        "{}
         states AS (SELECT s, row_number() OVER () - 1 AS k FROM unnest(ARRAY['submitted','received',
            'awaiting_supplement','materials_complete','handed_over','submitted_to_window','accepted_by_window',
            'special_step','result_issued','delivering']) s)
         INSERT INTO cases (number, applicant_id, item_id, center_id, intake_center_id, department_id, agent_id, channel, mode,
             state, application, applicant_kind, unit_name, handler_phone, submission_token, submitted_at, due_at)
         SELECT '411325-BENCH-' || g, (SELECT id FROM accounts WHERE login_name = '13800000001'), it.id,
                CASE WHEN g % 3 = 0 THEN it.center_id ELSE ce.id END,
                CASE WHEN g % 3 = 0 THEN it.center_id ELSE ce.id END, it.department_id,
                CASE WHEN g % 7 = 0 THEN (SELECT id FROM accounts WHERE login_name = 'agent01') END,
                'online', CASE WHEN g % 2 = 0 THEN 'proxy' ELSE 'assist' END, st.s,
                '{{}}'::jsonb, 'citizen', '申请人' || g, '13800000001', gen_random_uuid(),
                now() - (g % 30) * interval '1 day', now() + ((g % 481) - 240) * interval '1 hour'
         FROM generate_series(1, $1) g
         JOIN items it ON it.k = g % it.n
         JOIN centers ce ON ce.k = g % ce.n
         JOIN states st ON st.k = g % 10",
        support::ITEMS_AND_CENTERS
    ))
    .bind(CASES)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO case_events (case_id, actor_id, event, at)
         SELECT c.id, c.applicant_id, '{\"kind\": \"submit\"}'::jsonb, c.submitted_at FROM cases c
         UNION ALL
         SELECT c.id, coalesce(c.agent_id, c.applicant_id), '{\"kind\": \"receive\"}'::jsonb, c.submitted_at + interval '2 hours'
         FROM cases c WHERE c.state <> 'submitted'",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    println!(
        "loaded {CASES} open cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let base = support::serve(pool, url).await;

    let client = support::logged_in(&base, "agent01").await;
    let mut all: Vec<Duration> = Vec::new();
    for queue in [
        "new",
        "mine",
        "due_today",
        "breached",
        "awaiting_applicant",
        "at_window",
        "special_steps",
        "to_deliver",
    ] {
        let mut samples = Vec::new();
        let mut rows = 0;
        for round in 0..=ROUNDS {
            let start = Instant::now();
            let res = client
                .post(format!("{base}/api/work/queue"))
                .header("Origin", &base)
                .form(&[("queue", queue)])
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.status());
            let body: Vec<serde_json::Value> = res.json().await.unwrap();
            rows = body.len();
            if round > 0 {
                samples.push(start.elapsed());
            }
        }
        samples.sort();
        println!(
            "  {queue:<20} {rows:>3} rows  p50 {:>6.2} ms  p99 {:>6.2} ms",
            samples[samples.len() / 2].as_secs_f64() * 1e3,
            samples[(samples.len() * 99 / 100).min(samples.len() - 1)].as_secs_f64() * 1e3
        );
        all.extend(samples);
    }
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "workbench queue over HTTP with {CASES} open cases: {} requests, p50 {:.2} ms, p99 {:.2} ms",
        all.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
}
