//! The working-day calendar: the seeded one is the State Council's; each process holds it in
//! memory and hears every change; administrators edit it, and open cases' due dates follow.

use crate::common;

use chrono::{Datelike, NaiveDate};
use common::{apply, error_of, field_message, spawn};
use shared::calendar::{Calendar, DayKind};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_seeded_calendar_is_the_state_councils(pool: PgPool) {
    let stored = app::calendar::ssr::load(&pool).await.unwrap();
    assert_eq!(*stored, Calendar::china_2025_2026());
    assert!(stored.covers(2026) && !stored.covers(2027));
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    assert_eq!(stored.day_kind(d(2, 14)), DayKind::MakeUpWorkday);
    assert_eq!(stored.day_kind(d(2, 16)), DayKind::Holiday);
}

/// Polls `check` for up to five seconds.
async fn eventually(mut check: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_process_holds_the_calendar_and_hears_a_change_made_anywhere(pool: PgPool) {
    let app = spawn(pool).await;
    // The app listens to its database, so reads come from memory once loaded.
    let mut first = app::calendar::ssr::load(&app.pool).await.unwrap();
    for _ in 0..50 {
        let again = app::calendar::ssr::load(&app.pool).await.unwrap();
        if Arc::ptr_eq(&first, &again) {
            break;
        }
        // The listener may not have started yet: the first copy is then not kept.
        first = again;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(Arc::ptr_eq(
        &first,
        &app::calendar::ssr::load(&app.pool).await.unwrap()
    ));
    // Another process (here: psql's way, straight SQL) makes 2027-01-04 a day off.
    let day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    sqlx::query("INSERT INTO calendar_days (date, working, name) VALUES ($1, false, '测试')")
        .bind(day)
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        eventually(async || !app::calendar::ssr::load(&app.pool)
            .await
            .unwrap()
            .is_working_day(day))
        .await,
        "the held calendar never heard of the change"
    );
}

/// The due date of `number` as the queues see it.
async fn due(app: &common::TestApp, number: &str) -> chrono::DateTime<chrono::Utc> {
    sqlx::query_scalar("SELECT due_at FROM cases WHERE number = $1")
        .bind(number)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_admin_edits_the_calendar_and_open_cases_follow(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "临时救助", "proxy").await;
    let before = due(&app, &number).await;
    let cal = app::calendar::ssr::fresh(&app.pool).await.unwrap();
    let today = shared::clocks::local_date(chrono::Utc::now());
    let next = cal.add_working_days(today, 1).value;
    let date = next.format("%Y-%m-%d").to_string();
    let admin = app.client_as("admin01").await;

    // Nobody but an administrator edits it.
    for login in ["agent01", "manager01", "supervisor01", "13800000001"] {
        let who = app.client_as(login).await;
        let res = app
            .call_with(
                &who,
                "calendar/set_days",
                &[("from", &date), ("kind", "off"), ("name", "临时调整")],
            )
            .await;
        assert_eq!(res.status(), 403, "{login}");
    }
    // Refused input names its field, and nothing is saved.
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM calendar_days")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let n = count().await;
    let res = app
        .call_with(
            &admin,
            "calendar/set_days",
            &[
                ("from", "2027-01-09"),
                ("to", "2027-01-04"),
                ("kind", "work"),
                ("name", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let err = error_of(res).await;
    assert!(field_message(&err, "to").is_some());
    assert!(field_message(&err, "name").is_some());
    let res = app
        .call_with(
            &admin,
            "calendar/set_days",
            &[("from", &date), ("kind", "work"), ("name", "调休")],
        )
        .await;
    if !matches!(next.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        assert_eq!(res.status(), 422);
        assert!(field_message(&error_of(res).await, "kind")
            .unwrap()
            .contains("周六或周日"));
    }
    assert_eq!(count().await, n);

    // The next working day becomes a day off: the case's due date moves a day or more later.
    let res = app
        .call_with(
            &admin,
            "calendar/set_days",
            &[("from", &date), ("kind", "off"), ("name", "临时调整")],
        )
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert!(eventually(async || due(&app, &number).await > before).await);
    let moved = due(&app, &number).await;
    assert!(
        moved - before >= chrono::Duration::days(1),
        "{before} → {moved}"
    );
    let page = app
        .get_as(&admin, &format!("/admin/calendar?year={}", next.year()))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("临时调整") && html.contains(&date),
        "the day is listed"
    );
    assert!(
        eventually(async || sqlx::query_scalar::<_, bool>(
            "SELECT pending_since IS NULL FROM calendar_refresh"
        )
        .fetch_one(&app.pool)
        .await
        .unwrap())
        .await
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'calendar.set_days' AND subject = $1",
    )
    .bind(format!("calendar:{}", next.year()))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // Correcting it back (removing the day) brings the due date back.
    let res = app
        .call_with(&admin, "calendar/remove_day", &[("date", &date)])
        .await;
    assert!(!res.status().is_client_error() && !res.status().is_server_error());
    assert!(eventually(async || due(&app, &number).await == before).await);
    let res = app
        .call_with(&admin, "calendar/remove_day", &[("date", &date)])
        .await;
    assert_eq!(res.status(), 422, "a day not listed");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn loading_a_year_ends_weekends_only_reckoning(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.client_as("admin01").await;
    let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    // Whether a due date in early 2027 is still reckoned on weekends only.
    let weekends_only = || async {
        let cal = app::calendar::ssr::fresh(&app.pool).await.unwrap();
        cal.add_working_days(d(1, 4), 3).weekends_only
    };
    let page = || async {
        let res = app.get_as(&admin, "/admin/calendar?year=2027").await;
        res.text().await.unwrap()
    };
    let set_year = async |year: &str, source: &str| {
        app.call_with(
            &admin,
            "calendar/set_year",
            &[("year", year), ("source", source)],
        )
        .await
    };
    const NOTICE: &str = "国务院办公厅关于2027年部分节假日安排的通知";

    assert!(weekends_only().await);
    assert!(
        page().await.contains("未载入，按周末推算"),
        "2027 is not loaded yet"
    );
    let res = set_year("2027", NOTICE).await;
    assert!(!res.status().is_client_error() && !res.status().is_server_error());
    assert!(!weekends_only().await);
    assert!(page().await.contains(&format!("已载入：{NOTICE}")));
    let res = set_year("1999", "x").await;
    assert_eq!(res.status(), 422);
    assert!(field_message(&error_of(res).await, "year").is_some());
    // Emptying the source marks the year as not loaded again.
    set_year("2027", "").await;
    assert!(weekends_only().await);
}
