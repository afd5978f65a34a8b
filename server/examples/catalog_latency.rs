//! Catalog search latency with 10,000 items: `cargo run --release -p server --example
//! catalog_latency` (needs DATABASE_URL pointing at a server where it may create a database).
//! Prints p50/p99 of the public search server function, measured over HTTP on loopback.

mod support;

use std::time::{Duration, Instant};

const ITEMS: i64 = 10_000;
const ROUNDS: usize = 40;

#[tokio::main]
async fn main() {
    let (pool, url) = support::fresh_demo_database("bangban_latency").await;

    // Grow every department's filed list to 10,000 items in all, by varying the demo items.
    support::grow_catalog(&pool, ITEMS).await;
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM service_items")
        .fetch_one(&pool)
        .await
        .unwrap();

    let base = support::serve(pool, url).await;

    let client = reqwest::Client::new();
    let queries = [
        ("营业执照", ""),
        ("施工许可", ""),
        ("低保", ""),
        ("环评 报告书", ""),
        ("用电", "utilities"),
        ("", "livelihood"),
        ("不存在的事项", ""),
        ("登记", ""),
    ];
    let mut samples: Vec<Duration> = Vec::new();
    for round in 0..=ROUNDS {
        for (q, category) in queries {
            let start = Instant::now();
            let res = client
                .post(format!("{base}/api/catalog/search"))
                .header("Origin", &base)
                .form(&[
                    ("q", q),
                    ("category", category),
                    ("center", ""),
                    ("item_type", ""),
                ])
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success());
            let _ = res.bytes().await.unwrap();
            if round > 0 {
                samples.push(start.elapsed()); // round 0 warms the caches
            }
        }
    }
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "catalog search over HTTP with {total} items: {} requests, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        samples.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
}
