//! The seeded calendar in PostgreSQL is the one the domain core ships.

use shared::calendar::{Calendar, DayKind};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_seeded_calendar_is_the_state_councils(pool: PgPool) {
    let stored = app::calendar::ssr::load(&pool).await.unwrap();
    assert_eq!(stored, Calendar::china_2025_2026());
    assert!(stored.covers(2026) && !stored.covers(2027));
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    assert_eq!(stored.day_kind(d(2, 14)), DayKind::MakeUpWorkday);
    assert_eq!(stored.day_kind(d(2, 16)), DayKind::Holiday);
}
