//! The county's figures with 1,000,000 cases: `cargo run --release -p server --example
//! supervision_latency` (needs DATABASE_URL pointing at a server where it may create a
//! database; creates `bangban_supervision_latency`). Prints p50/p99 of the supervision pages over
//! HTTP on loopback as the county's supervisor: the month view by each grouping, the quarter,
//! the list behind a figure and the figures' export.
//!
//! Two years of cases (about 41,000 a month) over every filed item and center, with the clocks
//! the write path keeps (`case_clocks`): most finished on time, some late, some notices and second
//! notices, the last month's still running (some past due). The reports read `cases` and
//! `case_clocks` only, so no event rows are made.

mod support;

use std::time::Instant;

const CASES: i64 = 1_000_000;
const DAYS: i64 = 730;
const ROUNDS: usize = 30;

#[tokio::main]
async fn main() {
    const DB: &str = "bangban_supervision_latency";
    let (pool, url) = match support::existing_database(DB, "cases", CASES).await {
        Some(db) => {
            println!("measuring the {DB} a previous run loaded");
            db
        }
        None => load(support::fresh_demo_database(DB).await).await,
    };
    // The daily figures the write path would have kept while these clocks stopped.
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM clock_days")
        .fetch_one(&pool)
        .await
        .unwrap();
    if kept == 0 {
        support::sum_clock_days(&pool).await;
        sqlx::query("ANALYZE clock_days")
            .execute(&pool)
            .await
            .unwrap();
    }
    measure(support::serve(pool, url).await).await;
}

/// Loads the cases and their clocks into the fresh database.
async fn load((pool, url): (sqlx::PgPool, String)) -> (sqlx::PgPool, String) {
    let started = Instant::now();
    // Case g was submitted g/CASES of two years ago; every tenth-of-a-percent of hashes decides
    // its fate, so the figures vary by unit and week as real ones do.
    sqlx::query(&format!(
        "{}
         agents AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n
                    FROM accounts WHERE role = 'agent'),
         g AS (SELECT g, (g * 2654435761) % 1000 AS h, now() - (g::float8 / $1 * $2) * interval '1 day' AS t
               FROM generate_series(1, $1::bigint) g)
         INSERT INTO cases (number, applicant_id, item_id, center_id, intake_center_id, department_id,
             agent_id, channel, mode, state, application, applicant_kind, unit_name, handler_phone,
             submission_token, submitted_at, received_at, closed_at, delivery_mode, due_at)
         SELECT '411325-SUP-' || g.g, (SELECT id FROM accounts WHERE login_name = '13800000001'), it.id,
                CASE WHEN g.h < 400 THEN it.center_id ELSE ce.id END,
                CASE WHEN g.h < 400 THEN it.center_id ELSE ce.id END, it.department_id, ag.id,
                (ARRAY['online', 'phone', 'walk_in'])[1 + g.g % 3], CASE WHEN g.g % 2 = 0 THEN 'proxy' ELSE 'assist' END,
                CASE WHEN g.t > now() - interval '30 days' THEN 'accepted_by_window'
                     WHEN g.h < 50 THEN 'withdrawn' WHEN g.h < 80 THEN 'terminated' ELSE 'completed' END,
                '{{}}'::jsonb, CASE WHEN g.h % 3 = 0 THEN 'enterprise' ELSE 'citizen' END, '申请人' || g.g,
                '13800000001', gen_random_uuid(), g.t, g.t + interval '2 hours',
                CASE WHEN g.t <= now() - interval '30 days' THEN g.t + (3 + g.g % 20) * interval '1 day' END,
                CASE WHEN g.t <= now() - interval '30 days' AND g.h >= 80
                     THEN (ARRAY['window_pickup', 'door', 'mail'])[1 + g.g % 3] END,
                CASE WHEN g.t > now() - interval '30 days' THEN g.t + (it.promised_days + 4) * interval '1 day' END
         FROM g JOIN items it ON it.k = g.g % it.n
         JOIN centers ce ON ce.k = g.g % ce.n
         JOIN agents ag ON ag.k = (g.g / 7) % ag.n",
        support::ITEMS_AND_CENTERS
    ))
    .bind(CASES)
    .bind(DAYS as f64)
    .execute(&pool)
    .await
    .unwrap();
    println!("cases loaded in {:.1} s", started.elapsed().as_secs_f64());

    // Review (1 day), hand-in (2), processing (the item's limit) and, for a fifth of the cases,
    // a one-time notice (a thirtieth a second one). Closed cases' clocks all stopped; the last
    // month's processing clocks still run, due as the case says.
    sqlx::query(
        "INSERT INTO case_clocks (case_id, seq, kind, nth, center_id, agent_id, department_id,
             item_lineage, started_at, stopped_at, limit_days, due_at, used_days, breached)
         SELECT c.id, s.seq, s.kind, s.nth, c.center_id, c.agent_id, c.department_id, i.lineage,
                c.submitted_at + s.start_day * interval '1 day',
                CASE WHEN s.kind = 'department_processing' AND c.closed_at IS NULL THEN NULL
                     ELSE c.submitted_at + (s.start_day + s.days) * interval '1 day' END,
                s.lim, CASE WHEN s.lim IS NOT NULL THEN c.submitted_at + (s.start_day + s.lim) * interval '1 day' END,
                s.days, s.late
         FROM cases c JOIN service_items i ON i.id = c.item_id
         CROSS JOIN LATERAL (VALUES
             (0, 'agent_review', 1, 0, 1, 1, c.id % 20 = 0 AND c.state <> 'withdrawn'),
             (1, 'agent_hand_in', 1, 1, 2, 1 + (c.id % 12 = 0)::int * 2, c.id % 12 = 0),
             (2, 'department_processing', 1, 3, greatest(i.promised_days, 1),
                 greatest(i.promised_days, 1) - 1 + (c.id % 33 = 0)::int * 3, c.id % 33 = 0),
             (3, 'applicant_waiting', 1, 1, NULL, 2, false),
             (4, 'applicant_waiting', 2, 3, NULL, 1, false)
         ) AS s (seq, kind, nth, start_day, lim, days, late)
         WHERE (s.seq = 0 OR c.state NOT IN ('withdrawn', 'terminated'))
           AND (s.seq <> 3 OR c.id % 5 = 0)
           AND (s.seq <> 4 OR c.id % 30 = 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("VACUUM ANALYZE").execute(&pool).await.unwrap();
    let clocks: i64 = sqlx::query_scalar("SELECT count(*) FROM case_clocks")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!(
        "loaded {CASES} cases and {clocks} clocks in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (pool, url)
}

async fn measure(base: String) {
    let client = support::logged_in(&base, "supervisor01").await;

    // The last whole month.
    let today = shared::clocks::local_date(chrono::Utc::now());
    let month = shared::supervision::Period::month_of(today).shifted(false);
    let m = month.query();
    let (from, to) = (month.from, month.to);
    let pages = [
        ("month by department", format!("/supervision?{m}&by=department")),
        ("month by center", format!("/supervision?{m}&by=center")),
        ("month by agent", format!("/supervision?{m}&by=agent")),
        ("month by item", format!("/supervision?{m}&by=item")),
        (
            "quarter by department",
            format!("/supervision?period=quarter&day={from}&by=department"),
        ),
        (
            "list: review breached",
            format!("/supervision/cases?basis=clock&clock=agent_review&outcome=breached&from={from}&to={to}"),
        ),
        (
            "list: second notices",
            format!("/supervision/cases?basis=second_notice&from={from}&to={to}"),
        ),
        (
            "export figures (xlsx)",
            format!("/supervision/export/figures.xlsx?{m}&by=item"),
        ),
    ];
    for (name, path) in pages {
        let (p50, p99, size) = support::sample(&client, &base, &path, ROUNDS).await;
        println!(
            "  {name:<24} {size:>7} B  p50 {:>7.1} ms  p99 {:>7.1} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
}
