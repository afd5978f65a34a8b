//! Consultations and bookings against a real PostgreSQL: a question reaches the agents who
//! cover the item at the chosen center and only they answer; the answer time in working hours
//! reaches the figures; a slot never takes more than its capacity, even under 30 concurrent
//! bookings; changes stop 2 hours before; the day-before reminder goes once; an application
//! starts from a booking or a consultation; and who may NOT.

use crate::common;

use common::{citizen_form, error_of, field_message, signature_data_url, spawn, TestApp};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn center(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM centers WHERE name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A slot of `capacity` at the county center starting `minutes` from now (and a second, so it
/// never falls on a published half hour of the demo's).
async fn slot(app: &TestApp, minutes: i64, capacity: i32) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO booking_slots (center_id, starts_at, minutes, capacity)
         VALUES ((SELECT id FROM centers WHERE kind = 'county_center'),
                 date_trunc('minute', now()) + make_interval(mins => $1::int, secs => 1), 30, $2)
         RETURNING id",
    )
    .bind(minutes as i32)
    .bind(capacity)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_question_goes_to_the_covering_agents_and_its_answer_time_is_counted(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let license = app.item_id("企业设立登记（营业执照）").await;
    let county = center(&app, "内乡县行政审批服务中心").await;
    let town = center(&app, "城关镇便民服务中心").await;
    // Only centers with an agent covering the item are offered; another is refused.
    let form: Value = app
        .call_with(
            &applicant,
            "reception/ask_form",
            &[("item", &license.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let offered: Vec<i64> = form["centers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_i64().unwrap())
        .collect();
    assert!(
        offered.contains(&county) && !offered.contains(&town),
        "{form}"
    );
    let ask = |center: i64, question: &'static str| {
        let applicant = applicant.clone();
        let app = &app;
        async move {
            app.call_with(
                &applicant,
                "reception/ask",
                &[
                    ("item", &license.to_string()),
                    ("center", &center.to_string()),
                    ("question", question),
                ],
            )
            .await
        }
    };
    let err = error_of(ask(town, "开饭店办营业执照要带什么？").await).await;
    assert!(field_message(&err, "center").is_some(), "{err}");
    let err = error_of(ask(county, "问").await).await;
    assert!(field_message(&err, "question").is_some(), "{err}");
    let res = ask(county, "开饭店办营业执照要带什么材料？能代办吗？").await;
    assert!(res.status().is_success(), "{}", res.status());
    let id: i64 = res.json().await.unwrap();
    // The filed agents covering it at the county center are told; nobody else.
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT a.login_name FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE n.template = 'consultation' AND n.channel = 'in_app' ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, ["agent01", "agent04"]);
    // Who may NOT answer: an agent of another center, an agent not filed, a manager.
    for login in ["agent02", "agent05", "manager01"] {
        let other = app.client_as(login).await;
        let res = app
            .call_with(
                &other,
                "reception/answer",
                &[
                    ("id", &id.to_string()),
                    ("body", "需要身份证"),
                    ("mode", ""),
                ],
            )
            .await;
        assert!(
            [403, 404].contains(&res.status().as_u16()),
            "{login}: {}",
            res.status()
        );
    }
    // The question was asked on Monday 2026-11-30 at 17:00 (Beijing): the answer's working
    // hours are counted from then by the calendar.
    sqlx::query("UPDATE consultations SET asked_at = '2026-11-30 17:00+08' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let agent04 = app.client_as("agent04").await;
    let desk: Value = app
        .call_with(&agent04, "reception/desk", &[])
        .await
        .json()
        .await
        .unwrap();
    let q = &desk["questions"][0];
    assert_eq!(q["id"], id);
    assert_eq!(q["can_answer"], true);
    assert_eq!(q["phone"], "13800000001", "staff call back");
    let res = app
        .call_with(
            &agent04,
            "reception/answer",
            &[
                ("id", &id.to_string()),
                ("body", "请带章程、股东身份证和租赁合同；可以代办。"),
                ("mode", "proxy"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let (hours, answered_at): (f64, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT working_hours::float8, at FROM consultation_answers WHERE consultation_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let cal = app::calendar::ssr::load(&app.pool).await.unwrap();
    let asked = chrono::DateTime::parse_from_rfc3339("2026-11-30T17:00:00+08:00")
        .unwrap()
        .to_utc();
    let expected = shared::reception::working_hours(&cal, asked, answered_at);
    assert!((hours - expected).abs() < 0.02, "{hours} vs {expected}");
    assert!(
        hours >= 0.5,
        "half an hour of Monday's office hours at least: {hours}"
    );
    // The applicant hears in the app and by SMS, and sees the answer.
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT channel FROM notifications WHERE template = 'consultation_answered' ORDER BY channel",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, ["in_app", "sms"]);
    let mine: Value = app
        .call_with(&applicant, "reception/my_questions", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["answers"][0][1], "proxy");
    assert_eq!(
        mine[0]["phone"], "",
        "the applicant's own list needs no phone"
    );
    // The figures: the supervisor sees the county's question and its answer time.
    let supervisor = app.client_as("supervisor01").await;
    let figures: Value = app
        .call_with(
            &supervisor,
            "reception/figures",
            &[("from", "2026-11-01"), ("to", "2026-12-31")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(figures[0]["asked"], 1, "{figures}");
    assert_eq!(figures[0]["answered"], 1);
    assert!((figures[0]["mean_hours"].as_f64().unwrap() - hours).abs() < 0.01);
    let res = app
        .call_with(
            &agent04,
            "reception/figures",
            &[("from", "2026-11-01"), ("to", "2026-12-31")],
        )
        .await;
    assert_eq!(res.status(), 403, "agents do not read the figures");
    // What was settled starts the asker's application (the mode is proxy), nobody else's.
    let started_mode = |client: reqwest::Client| {
        let (app, item, id) = (&app, license.to_string(), id.to_string());
        async move {
            let ctx: Value = app
                .call_with(
                    &client,
                    "cases/apply_context",
                    &[("item_id", item.as_str()), ("consultation", id.as_str())],
                )
                .await
                .json()
                .await
                .unwrap();
            ctx["form"]["mode"].clone()
        }
    };
    assert_eq!(started_mode(applicant.clone()).await, "proxy");
    let other = app.client_as("13800000009").await;
    assert_ne!(started_mode(other).await, "proxy");
    app.assert_history_only(&[
        "UPDATE consultation_answers SET body = 'x'",
        "DELETE FROM consultations",
    ])
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn thirty_people_at_once_get_exactly_the_two_places_of_a_slot(pool: PgPool) {
    let app = spawn(pool).await;
    let slot = slot(&app, 24 * 60, 2).await;
    let invoice = app.item_id("发票申领").await.to_string();
    let agent = app.client_as("agent01").await;
    let calls = (0..30).map(|i| {
        let (agent, app, invoice) = (agent.clone(), &app, invoice.clone());
        async move {
            let phone = format!("137000001{i:02}");
            app.call_with(
                &agent,
                "reception/book_for_caller",
                &[
                    ("item", invoice.as_str()),
                    ("slot", &slot.to_string()),
                    ("purpose", "apply"),
                    ("name", "来电群众"),
                    ("phone", &phone),
                ],
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures::future::join_all(calls).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 422].contains(s)),
        "{statuses:?}"
    );
    let (booked, rows): (i32, i64) = sqlx::query_as(
        "SELECT booked, (SELECT count(*) FROM bookings WHERE slot_id = $1) FROM booking_slots WHERE id = $1",
    )
    .bind(slot)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((booked, rows), (2, 2));
    // The database itself refuses an overfilled slot.
    let err = sqlx::query("UPDATE booking_slots SET booked = 3 WHERE id = $1")
        .bind(slot)
        .execute(&app.pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("check"), "{err}");
    // The callers were told by SMS (the agent took their phones down).
    let texts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE template = 'booking_made' AND channel = 'sms'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(texts, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_booking_changes_until_two_hours_before_and_an_application_starts_from_it(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let invoice = app.item_id("发票申领").await;
    let tomorrow = slot(&app, 26 * 60, 2).await;
    let later = slot(&app, 27 * 60, 1).await;
    let soon = slot(&app, 60, 2).await;
    let book = |slot: i64| {
        let (applicant, app) = (applicant.clone(), &app);
        async move {
            app.call_with(
                &applicant,
                "reception/book",
                &[
                    ("item", &invoice.to_string()),
                    ("slot", &slot.to_string()),
                    ("purpose", "apply"),
                ],
            )
            .await
        }
    };
    let err = error_of(book(0).await).await;
    assert!(field_message(&err, "slot").is_some(), "{err}");
    let booking: i64 = book(tomorrow).await.json().await.unwrap();
    // The same person cannot hold two places of one slot.
    let err = error_of(book(tomorrow).await).await;
    assert!(field_message(&err, "slot").is_some(), "{err}");
    let close: i64 = book(soon).await.json().await.unwrap();
    // Someone else sees none of it.
    let other = app.client_as("13800000009").await;
    for (endpoint, form) in [
        ("reception/booking", vec![("id", booking.to_string())]),
        ("reception/cancel", vec![("id", booking.to_string())]),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.call_with(&other, endpoint, &form).await;
        assert_eq!(res.status(), 404, "{endpoint}");
    }
    // Moved to a later slot: the places follow.
    let res = app
        .call_with(
            &applicant,
            "reception/move",
            &[("id", &booking.to_string()), ("slot", &later.to_string())],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let counts: Vec<i32> = sqlx::query_scalar(
        "SELECT booked FROM booking_slots WHERE id = ANY($1) ORDER BY starts_at",
    )
    .bind(vec![soon, tomorrow, later])
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(counts, [1, 0, 1]);
    // The later slot is full now: nobody else gets in.
    let res = app
        .call_with(
            &other,
            "reception/book",
            &[
                ("item", &invoice.to_string()),
                ("slot", &later.to_string()),
                ("purpose", "apply"),
            ],
        )
        .await;
    assert_eq!(
        field_message(&error_of(res).await, "slot").as_deref(),
        Some("该时段已约满，请选择其他时段")
    );
    // An hour before its slot, a booking no longer changes.
    let res = app
        .call_with(
            &applicant,
            "reception/cancel",
            &[("id", &close.to_string())],
        )
        .await;
    assert_eq!(res.status(), 409);
    // Staff record arrival only once the slot has started.
    let agent = app.client_as("agent01").await;
    let res = app
        .call_with(
            &agent,
            "reception/arrival",
            &[("id", &close.to_string()), ("came", "no")],
        )
        .await;
    assert_eq!(res.status(), 409);
    // The day before, one reminder each; never twice.
    sqlx::query("UPDATE booking_slots SET starts_at = now() + interval '1 day' WHERE id = $1")
        .bind(later)
        .execute(&app.pool)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    // (The booking an hour ahead is tomorrow's too when it is past 23:00 in Beijing.)
    let first = app::reception::ssr::remind_due(&app.pool, now)
        .await
        .unwrap();
    let again = app::reception::ssr::remind_due(&app.pool, now)
        .await
        .unwrap();
    assert!(first >= 1 && again == 0, "{first}, {again}");
    let reminded: bool =
        sqlx::query_scalar("SELECT reminded_at IS NOT NULL FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(reminded);
    // Applying from the booking: the case says so, and the booking shows the case.
    let ctx: Value = app
        .call_with(
            &applicant,
            "cases/apply_context",
            &[
                ("item_id", &invoice.to_string()),
                ("booking", &booking.to_string()),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .call_json(
            &applicant,
            "cases/submit",
            &json!({"item_id": invoice, "token": ctx["token"], "form": citizen_form("assist"),
                    "signature": signature_data_url(true)}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let number: String = res.json().await.unwrap();
    let linked: Option<i64> = sqlx::query_scalar("SELECT booking_id FROM cases WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(linked, Some(booking));
    let page: Value = app
        .call_with(
            &applicant,
            "reception/booking",
            &[("id", &booking.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["booking"]["case_number"], number.as_str());
    // Cancelled: the place is free again; a cancelled booking changes no more.
    let res = app
        .call_with(
            &applicant,
            "reception/cancel",
            &[("id", &booking.to_string())],
        )
        .await;
    assert!(res.status().is_success());
    let res = app
        .call_with(
            &applicant,
            "reception/cancel",
            &[("id", &booking.to_string())],
        )
        .await;
    assert_eq!(res.status(), 409);
    let free: i32 = sqlx::query_scalar("SELECT booked FROM booking_slots WHERE id = $1")
        .bind(later)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(free, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn managers_publish_slots_for_working_days_only(pool: PgPool) {
    let app = spawn(pool).await;
    let manager = app.client_as("manager01").await;
    // The next week: the calendar says which days are working days, 13 slots each.
    sqlx::query("DELETE FROM booking_slots")
        .execute(&app.pool)
        .await
        .unwrap();
    let today = shared::clocks::local_date(chrono::Utc::now());
    let (from, to) = (
        today + chrono::Duration::days(1),
        today + chrono::Duration::days(7),
    );
    let cal = app::calendar::ssr::load(&app.pool).await.unwrap();
    let expected: usize = from
        .iter_days()
        .take(7)
        .map(|d| shared::reception::slots_of(&cal, d).len())
        .sum();
    let res = app
        .call_with(
            &manager,
            "reception/publish",
            &[
                ("from", &from.to_string()),
                ("to", &to.to_string()),
                ("capacity", ""),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let n: u64 = res.json().await.unwrap();
    assert_eq!(n as usize, expected);
    assert!(expected >= 13 * 3, "a week has working days");
    let capacity: i32 = sqlx::query_scalar("SELECT DISTINCT capacity FROM booking_slots")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(capacity, 2, "the county's two filed agents on duty");
    let err = error_of(
        app.call_with(
            &manager,
            "reception/publish",
            &[
                ("from", "2020-01-01"),
                ("to", "2019-01-01"),
                ("capacity", "99"),
            ],
        )
        .await,
    )
    .await;
    for field in ["from", "capacity"] {
        assert!(field_message(&err, field).is_some(), "{field}: {err}");
    }
    let agent = app.client_as("agent01").await;
    let res = app
        .call_with(
            &agent,
            "reception/publish",
            &[("from", &from.to_string()), ("to", &to.to_string())],
        )
        .await;
    assert_eq!(res.status(), 403);
}
