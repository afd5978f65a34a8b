//! Computes every clock of 100,000 cases with realistic histories and prints ns per case.

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shared::calendar::Calendar;
use shared::case::{CaseEvent, Delivery, SpecialStepKind};
use shared::clocks::{compute_clocks, TimedEvent};
use std::hint::black_box;
use std::time::Instant;

const CASES: usize = 100_000;

/// A deterministic mix of the policy's paths: immediate items, promised items with and without
/// a missing-materials round, special steps, open and finished cases.
fn histories() -> Vec<(Vec<TimedEvent>, u32)> {
    let mut seed: u64 = 0x2026_1128;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let base = Utc.with_ymd_and_hms(2025, 1, 2, 1, 0, 0).unwrap();
    (0..CASES)
        .map(|_| {
            let mut t: DateTime<Utc> = base + Duration::hours(next(24 * 650) as i64);
            let mut events = Vec::with_capacity(14);
            let mut push = |t: &mut DateTime<Utc>, e: CaseEvent, gap_hours: u64| {
                *t += Duration::hours(gap_hours as i64);
                events.push(TimedEvent { at: *t, event: e });
            };
            push(&mut t, CaseEvent::Submit, 0);
            push(&mut t, CaseEvent::Receive, next(20));
            if next(3) == 0 {
                push(&mut t, CaseEvent::ReviewMissing, next(30));
                push(&mut t, CaseEvent::Supplement, next(200));
            }
            push(&mut t, CaseEvent::ReviewComplete, next(30));
            let promised = next(3) != 0;
            if promised {
                push(&mut t, CaseEvent::Handover, next(10));
                push(&mut t, CaseEvent::SubmitToWindow, next(48));
                push(&mut t, CaseEvent::WindowAccept, next(8));
                if next(4) == 0 {
                    push(
                        &mut t,
                        CaseEvent::StartSpecialStep {
                            step: SpecialStepKind::PublicNotice,
                            counts_toward_limit: false,
                        },
                        next(100),
                    );
                    push(&mut t, CaseEvent::EndSpecialStep, 24 * 7 + next(48));
                }
            } else {
                push(&mut t, CaseEvent::GoToWindow, next(48));
            }
            if next(5) != 0 {
                push(&mut t, CaseEvent::IssueResult, next(24 * 20));
                push(
                    &mut t,
                    CaseEvent::StartDelivery {
                        delivery: Delivery::WindowPickup,
                    },
                    next(24),
                );
                push(&mut t, CaseEvent::Complete, next(48));
            }
            (events, if promised { 1 + next(30) as u32 } else { 0 })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cal = Calendar::china_2025_2026();
    let cases = histories();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();

    // A plain figure first, so the number is printed whatever criterion's output looks like.
    let start = Instant::now();
    let mut clocks = 0usize;
    for (events, limit) in &cases {
        clocks += compute_clocks(black_box(events), *limit, &cal, now).len();
    }
    let elapsed = start.elapsed();
    println!(
        "clocks: {CASES} cases ({clocks} clocks) in {:.1} ms = {:.0} ns per case",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_nanos() as f64 / CASES as f64
    );

    let mut group = c.benchmark_group("clocks");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CASES as u64));
    group.bench_function("all clocks of 100k cases", |b| {
        b.iter(|| {
            for (events, limit) in &cases {
                black_box(compute_clocks(events, *limit, &cal, now));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
