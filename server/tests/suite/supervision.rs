//! Supervision (issue 15): figures checked against answers worked out by hand, the lists behind
//! them, and who may see which.
//!
//! The fixture (October 2026: National Day 1–7 off, Saturday the 10th a make-up workday):
//! - case 1, 市场监管 (企业注销登记, 3 days), county: submitted 9-30, reviewed 10-08 (met, 1 day),
//!   handed in 10-12 (due 10-10, breached, 3 days), accepted 10-12, result 10-15 (met, 3 days),
//!   mailed, completed 10-16;
//! - case 2, 民政 (临时救助, 10 days), 湍东镇: submitted 10-09, notice 10-10 (met), supplement
//!   10-14 (3 days waiting), second notice 10-16 (review breached, 2 days), supplement 10-19,
//!   reviewed 10-20, forwarded to the county 10-21 (hand-in met, the township's), reviewed there
//!   10-22, handed in 10-23 (met), accepted 10-23, special step 10-26…10-30 not counted: due
//!   11-12 instead of 11-06, still running;
//! - case 3, 市场监管, county: submitted 10-12, withdrawn 10-14 unreviewed (review breached);
//! - case 4, 民政, county: submitted and terminated 10-15 (review met, 0 days);
//! - case 5, 市场监管, county: submitted 10-30, never reviewed (due 11-02).

use crate::common;

use app::supervision::ssr::{figures, search, trend, week_monday, Scope};
use chrono::{DateTime, NaiveDateTime, Utc};
use common::{error_of, new_client, spawn, TestApp};
use serde_json::{json, Value};
use shared::clocks::ClockKind;
use shared::supervision::{ClockFigures, Dimension, FigureRow, Period};
use sqlx::PgPool;

const COUNTY: &str = "内乡县行政审批服务中心";
const TOWNSHIP: &str = "湍东镇便民服务中心";
const MARKET: &str = "市场监督管理局";
const CIVIL: &str = "民政局";

/// 10:00 on a Beijing day ("2026-10-09 10:00").
fn at(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc()
        - chrono::Duration::hours(8)
}

struct Fixture {
    pool: PgPool,
    cal: shared::Calendar,
    applicant: i64,
}

struct Case {
    id: i64,
    center: i64,
    agent: Option<i64>,
}

/// What a step does to the case besides its event.
#[derive(Default)]
struct Change {
    agent: Option<i64>,
    forward_to: Option<i64>,
    close: Option<&'static str>,
    delivery: Option<&'static str>,
}

/// A step that closes the case in `state`.
fn closing(state: &'static str) -> Change {
    Change {
        close: Some(state),
        ..Change::default()
    }
}

impl Fixture {
    async fn id(&self, sql: &str, name: &str) -> i64 {
        sqlx::query_scalar(sql)
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn center(&self, name: &str) -> i64 {
        self.id("SELECT id FROM centers WHERE name = $1", name)
            .await
    }

    async fn account(&self, login: &str) -> i64 {
        self.id("SELECT id FROM accounts WHERE login_name = $1", login)
            .await
    }

    /// A case submitted at `when`, its clocks as the write path keeps them.
    async fn open(&self, n: u32, item: &str, center: i64, when: &str) -> Case {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (number, applicant_id, item_id, center_id, intake_center_id,
                 department_id, channel, mode, state, application, applicant_kind, unit_name,
                 handler_phone, submission_token, submitted_at)
             SELECT $1, $2, i.id, $3, $3, l.department_id, 'online', 'assist', 'submitted', '{}',
                    'citizen', '张秀英', '13800000001', gen_random_uuid(), $5
             FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
             WHERE i.name = $4
             RETURNING id",
        )
        .bind(format!("411325-TEST-{n}"))
        .bind(self.applicant)
        .bind(center)
        .bind(item)
        .bind(at(when))
        .fetch_one(&self.pool)
        .await
        .unwrap();
        let mut case = Case {
            id,
            center,
            agent: None,
        };
        self.step(
            &mut case,
            when,
            json!({"kind": "submit"}),
            Change::default(),
        )
        .await;
        case
    }

    /// Appends `event` at `when` and refreshes the clocks as `case_log::ssr::record` does.
    async fn step(&self, case: &mut Case, when: &str, event: Value, change: Change) {
        let before = (case.center, case.agent);
        if let Some(a) = change.agent {
            case.agent = Some(a);
        }
        if let Some(to) = change.forward_to {
            case.center = to;
            case.agent = None;
        }
        let mut tx = self.pool.begin().await.unwrap();
        sqlx::query(
            "UPDATE cases SET center_id = $2, agent_id = $3, state = coalesce($4, state),
                 closed_at = CASE WHEN $4 IS NULL THEN closed_at ELSE $5 END,
                 delivery_mode = coalesce($6, delivery_mode)
             WHERE id = $1",
        )
        .bind(case.id)
        .bind(case.center)
        .bind(case.agent)
        .bind(change.close)
        .bind(at(when))
        .bind(change.delivery)
        .execute(&mut *tx)
        .await
        .unwrap();
        if let Some(to) = change.forward_to {
            sqlx::query("INSERT INTO case_forwards (case_id, from_center_id, to_center_id, at) VALUES ($1, $2, $3, $4)")
                .bind(case.id)
                .bind(before.0)
                .bind(to)
                .bind(at(when))
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        sqlx::query(
            "INSERT INTO case_events (case_id, actor_id, event, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(case.id)
        .bind(self.applicant)
        .bind(event)
        .bind(at(when))
        .execute(&mut *tx)
        .await
        .unwrap();
        let first =
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM case_events WHERE case_id = $1")
                .bind(case.id)
                .fetch_one(&mut *tx)
                .await
                .unwrap()
                == 1;
        app::case_log::ssr::refresh_timing(&mut tx, &self.cal, case.id, (!first).then_some(before))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

/// Builds the fixture of the module comment.
async fn fixture(pool: &PgPool) -> Fixture {
    let fx = Fixture {
        pool: pool.clone(),
        cal: app::calendar::ssr::fresh(pool).await.unwrap(),
        applicant: 0,
    };
    let fx = Fixture {
        applicant: fx.account("13800000001").await,
        ..fx
    };
    let county = fx.center(COUNTY).await;
    let township = fx.center(TOWNSHIP).await;
    let x = fx.account("agent01").await;
    let y = fx.account("agent06").await;
    let receive = |a| Change {
        agent: Some(a),
        ..Change::default()
    };
    let ev = |kind: &str| json!({ "kind": kind });

    let mut c1 = fx.open(1, "企业注销登记", county, "2026-09-30 10:00").await;
    fx.step(&mut c1, "2026-09-30 11:00", ev("receive"), receive(x))
        .await;
    for (when, kind) in [
        ("2026-10-08 10:00", "review_complete"),
        ("2026-10-12 10:00", "go_to_window"),
        ("2026-10-12 11:00", "window_accept"),
        ("2026-10-15 10:00", "issue_result"),
    ] {
        fx.step(&mut c1, when, ev(kind), Change::default()).await;
    }
    fx.step(
        &mut c1,
        "2026-10-15 11:00",
        json!({"kind": "start_delivery", "delivery": {"mail": {"address": "内乡县", "recipient": "张秀英", "phone": ""}}}),
        Change { delivery: Some("mail"), ..Change::default() },
    )
    .await;
    fx.step(
        &mut c1,
        "2026-10-16 10:00",
        ev("complete"),
        closing("completed"),
    )
    .await;

    let mut c2 = fx.open(2, "临时救助", township, "2026-10-09 10:00").await;
    fx.step(&mut c2, "2026-10-09 10:30", ev("receive"), receive(y))
        .await;
    for (when, kind) in [
        ("2026-10-10 10:00", "review_missing"),
        ("2026-10-14 10:00", "supplement"),
        ("2026-10-16 10:00", "review_missing"),
        ("2026-10-19 10:00", "supplement"),
        ("2026-10-20 10:00", "review_complete"),
    ] {
        fx.step(&mut c2, when, ev(kind), Change::default()).await;
    }
    fx.step(
        &mut c2,
        "2026-10-21 10:00",
        json!({"kind": "forward", "to_center": county}),
        Change {
            forward_to: Some(county),
            ..Change::default()
        },
    )
    .await;
    fx.step(&mut c2, "2026-10-21 11:00", ev("receive"), receive(x))
        .await;
    for (when, event) in [
        ("2026-10-22 10:00", ev("review_complete")),
        ("2026-10-23 10:00", ev("go_to_window")),
        ("2026-10-23 11:00", ev("window_accept")),
        (
            "2026-10-26 10:00",
            json!({"kind": "start_special_step", "step": "public_notice", "counts_toward_limit": false}),
        ),
        ("2026-10-30 10:00", ev("end_special_step")),
    ] {
        fx.step(&mut c2, when, event, Change::default()).await;
    }

    let mut c3 = fx.open(3, "企业注销登记", county, "2026-10-12 10:00").await;
    fx.step(
        &mut c3,
        "2026-10-14 10:00",
        json!({"kind": "withdraw", "reason": "不再需要"}),
        closing("withdrawn"),
    )
    .await;

    let mut c4 = fx.open(4, "临时救助", county, "2026-10-15 10:00").await;
    fx.step(&mut c4, "2026-10-15 11:00", ev("receive"), receive(x))
        .await;
    fx.step(
        &mut c4,
        "2026-10-15 15:00",
        json!({"kind": "terminate", "reason": "不符合条件"}),
        closing("terminated"),
    )
    .await;

    fx.open(5, "企业注销登记", county, "2026-10-30 10:00").await;
    fx
}

/// (finished, met, stopped, working days) of each clock in `ClockKind::ALL` order.
type Clocks = [(i64, i64, i64, i64); 4];

/// received, completed, terminated, withdrawn, second notices, clocks, deliveries.
type Expected = (i64, i64, i64, i64, i64, Clocks, [i64; 3]);

fn actual(r: &FigureRow) -> Expected {
    let c = |f: &ClockFigures| (f.finished, f.met, f.stopped, f.days);
    (
        r.received,
        r.completed,
        r.terminated,
        r.withdrawn,
        r.second_notices,
        [
            c(&r.clocks[0]),
            c(&r.clocks[1]),
            c(&r.clocks[2]),
            c(&r.clocks[3]),
        ],
        r.deliveries,
    )
}

fn row<'a>(rows: &'a [FigureRow], name: &str) -> &'a FigureRow {
    rows.iter().find(|r| r.name == name).unwrap_or_else(|| {
        panic!(
            "no row {name} in {:?}",
            rows.iter().map(|r| &r.name).collect::<Vec<_>>()
        )
    })
}

const NONE: (i64, i64, i64, i64) = (0, 0, 0, 0);

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_figure_of_every_view_matches_the_hand_worked_answers(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let fx = fixture(&pool).await;
    let october = Period::month_of(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    let now = at("2026-12-10 10:00");
    let view = |by| figures(&pool, Scope::County, &october, by, now);

    let total = FigureRow::total(&view(Dimension::Department).await.unwrap(), "合计");
    assert_eq!(
        actual(&total),
        (
            4,
            1,
            1,
            1,
            1,
            [(6, 4, 6, 7), (3, 2, 3, 5), (1, 1, 1, 3), (0, 0, 2, 4)],
            [0, 0, 1]
        )
    );
    assert_eq!(
        shared::supervision::percent(total.clock(ClockKind::AgentReview).rate()),
        "66.7%"
    );
    assert_eq!(
        total.clock(ClockKind::ApplicantWaiting).average_days(),
        Some(2.0)
    );

    let by_department = view(Dimension::Department).await.unwrap();
    let market = format!("{MARKET}（{COUNTY}）");
    let civil = format!("{CIVIL}（{COUNTY}）");
    assert_eq!(
        actual(row(&by_department, &market)),
        (
            2,
            1,
            0,
            1,
            0,
            [(2, 1, 2, 3), (1, 0, 1, 3), (1, 1, 1, 3), NONE],
            [0, 0, 1]
        )
    );
    assert_eq!(
        actual(row(&by_department, &civil)),
        (
            2,
            0,
            1,
            0,
            1,
            [(4, 3, 4, 4), (2, 2, 2, 2), NONE, (0, 0, 2, 4)],
            [0, 0, 0]
        )
    );
    assert_eq!(by_department.len(), 2);

    // By item: one item per department here, so the same figures under the items' names.
    let by_item = view(Dimension::Item).await.unwrap();
    assert_eq!(
        actual(row(&by_item, "企业注销登记")),
        actual(row(&by_department, &market))
    );
    assert_eq!(
        actual(row(&by_item, "临时救助")),
        actual(row(&by_department, &civil))
    );

    // Received where it came in; a clock where it ran (the township keeps its hand-in).
    let by_center = view(Dimension::Center).await.unwrap();
    assert_eq!(
        actual(row(&by_center, COUNTY)),
        (
            3,
            1,
            1,
            1,
            0,
            [(3, 2, 3, 3), (2, 1, 2, 4), (1, 1, 1, 3), NONE],
            [0, 0, 1]
        )
    );
    assert_eq!(
        actual(row(&by_center, TOWNSHIP)),
        (
            1,
            0,
            0,
            0,
            1,
            [(3, 2, 3, 4), (1, 1, 1, 1), NONE, (0, 0, 2, 4)],
            [0, 0, 0]
        )
    );

    let by_agent = view(Dimension::Agent).await.unwrap();
    assert_eq!(
        actual(row(&by_agent, "李帮办")),
        (
            2,
            1,
            1,
            0,
            0,
            [(2, 2, 2, 1), (2, 1, 2, 4), (1, 1, 1, 3), NONE],
            [0, 0, 1]
        )
    );
    assert_eq!(
        actual(row(&by_agent, "吴代办")),
        (
            0,
            0,
            0,
            0,
            1,
            [(3, 2, 3, 4), (1, 1, 1, 1), NONE, (0, 0, 2, 4)],
            [0, 0, 0]
        )
    );
    assert_eq!(
        actual(row(&by_agent, "（尚未指定承办人）")),
        (2, 0, 0, 1, 0, [(1, 0, 1, 2), NONE, NONE, NONE], [0, 0, 0])
    );

    // The week of 10-12: reviews ended on the 14th (breached), 15th (met) and 16th (breached).
    let weeks = trend(&pool, Scope::County, &october.trend_weeks(12), now)
        .await
        .unwrap();
    let (_, week) = weeks
        .iter()
        .find(|(w, _)| w.from == chrono::NaiveDate::from_ymd_opt(2026, 10, 12).unwrap())
        .unwrap();
    assert_eq!(
        (
            week.clock(ClockKind::AgentReview).finished,
            week.clock(ClockKind::AgentReview).met
        ),
        (3, 1)
    );

    // The trend reads the daily figures the write path keeps: the same as counting the clocks.
    for scope in [
        Scope::County,
        Scope::Unit {
            center: Some(fx.center(TOWNSHIP).await),
            department: None,
        },
    ] {
        let all = Period {
            kind: shared::supervision::PeriodKind::Custom,
            from: weeks[0].0.from,
            to: weeks[11].0.to,
        };
        let raw = figures(&pool, scope, &all, Dimension::Week, now)
            .await
            .unwrap();
        for (w, kept) in trend(&pool, scope, &october.trend_weeks(12), now)
            .await
            .unwrap()
        {
            let counted = raw
                .iter()
                .find(|r| r.key.map(week_monday) == Some(w.from))
                .cloned()
                .unwrap_or_default();
            assert_eq!(kept.clocks, counted.clocks, "week of {}", w.from);
        }
    }

    // November: a running clock counts as breached once its due day is over. Case 5's review
    // fell due 11-02; case 2's processing, paused four working days by the special step, falls
    // due 11-12 (without the pause it would have been 11-06).
    let november = october.shifted(true);
    let pool_ref = &pool;
    let nov = |now| async move {
        FigureRow::total(
            &figures(pool_ref, Scope::County, &november, Dimension::Center, now)
                .await
                .unwrap(),
            "",
        )
    };
    let on_10th = nov(at("2026-11-10 12:00")).await;
    assert_eq!(
        *on_10th.clock(ClockKind::AgentReview),
        ClockFigures {
            finished: 1,
            met: 0,
            stopped: 0,
            days: 0
        }
    );
    assert_eq!(on_10th.clock(ClockKind::DepartmentProcessing).finished, 0);
    let on_13th = nov(at("2026-11-13 12:00")).await;
    assert_eq!(
        *on_13th.clock(ClockKind::DepartmentProcessing),
        ClockFigures {
            finished: 1,
            met: 0,
            stopped: 0,
            days: 0
        }
    );

    // A township manager counts what happened at the township only.
    let township = fx.center(TOWNSHIP).await;
    let unit = Scope::Unit {
        center: Some(township),
        department: None,
    };
    let theirs = FigureRow::total(
        &figures(&pool, unit, &october, Dimension::Agent, now)
            .await
            .unwrap(),
        "",
    );
    assert_eq!(
        actual(&theirs),
        (
            1,
            0,
            0,
            0,
            1,
            [(3, 2, 3, 4), (1, 1, 1, 1), NONE, (0, 0, 2, 4)],
            [0, 0, 0]
        )
    );
    drop(app);
}

/// What a server function taking a query string answers `client`.
async fn answer(app: &TestApp, client: &reqwest::Client, endpoint: &str, query: &str) -> Value {
    let res = app.call_with(client, endpoint, &[("query", query)]).await;
    assert_eq!(res.status(), 200, "{endpoint}?{query}");
    res.json().await.unwrap()
}

async fn numbers(app: &TestApp, client: &reqwest::Client, query: &str) -> Vec<String> {
    let body = answer(app, client, "supervision/cases", query).await;
    assert_eq!(body["errors"], json!([]), "{query}");
    let mut n: Vec<String> = body["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["number"]
                .as_str()
                .unwrap()
                .trim_start_matches("411325-TEST-")
                .to_string()
        })
        .collect();
    n.sort();
    n
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_list_behind_a_figure_holds_its_cases_and_only_for_those_who_may_see_them(
    pool: PgPool,
) {
    let app = spawn(pool.clone()).await;
    let fx = fixture(&pool).await;
    let supervisor = app.client_as("supervisor01").await;
    let oct = "from=2026-10-01&to=2026-10-31";

    assert_eq!(numbers(&app, &supervisor, oct).await, ["2", "3", "4", "5"]);
    let breached = format!("basis=clock&clock=agent_review&outcome=breached&{oct}");
    assert_eq!(numbers(&app, &supervisor, &breached).await, ["2", "3"]);
    // Any clock breached (the ranking's list): late hand-in, late reviews.
    assert_eq!(
        numbers(
            &app,
            &supervisor,
            &format!("basis=clock&outcome=breached&{oct}")
        )
        .await,
        ["1", "2", "3"]
    );
    let market = app.department_id(MARKET).await;
    assert_eq!(
        numbers(
            &app,
            &supervisor,
            &format!("{breached}&department={market}")
        )
        .await,
        ["3"]
    );
    let township = fx.center(TOWNSHIP).await;
    assert_eq!(
        numbers(&app, &supervisor, &format!("center={township}&{oct}")).await,
        ["2"]
    );
    assert_eq!(
        numbers(&app, &supervisor, &format!("basis=second_notice&{oct}")).await,
        ["2"]
    );
    assert_eq!(
        numbers(
            &app,
            &supervisor,
            &format!("basis=completed&delivery=mail&{oct}")
        )
        .await,
        ["1"]
    );
    assert_eq!(
        numbers(&app, &supervisor, "number=411325-TEST-4").await,
        ["4"]
    );
    // Part of an item's name, its wildcards taken literally.
    let named = |part: &str| format!("item_name={}&{oct}", shared::supervision::encode(part));
    assert_eq!(numbers(&app, &supervisor, &named("注销")).await, ["3", "5"]);
    assert_eq!(numbers(&app, &supervisor, &named("救助")).await, ["2", "4"]);
    assert!(numbers(&app, &supervisor, &named("%")).await.is_empty());
    // A figure's row opens the list of one item lineage: the page names the item and offers
    // the same list without it.
    let (lineage, item): (i64, String) = sqlx::query_as(
        "SELECT i.lineage, i.name FROM cases c JOIN service_items i ON i.id = c.item_id
         WHERE c.number = '411325-TEST-3'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let of_item = format!("item={lineage}&{oct}");
    assert!(numbers(&app, &supervisor, &of_item)
        .await
        .contains(&"3".into()));
    let html = app
        .get_as(&supervisor, &format!("/supervision/cases?{of_item}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("<strong>{item}</strong>")), "{item}");
    assert!(html.contains(r#"href="/supervision/cases?from=2026-10-01&amp;to=2026-10-31""#));
    assert_eq!(
        numbers(&app, &supervisor, "breached=no&state=submitted").await,
        Vec::<String>::new()
    );

    let first: Value = answer(&app, &supervisor, "supervision/cases", oct).await;
    assert_eq!(first["found"][0]["number"], "411325-TEST-5", "newest first");
    assert_eq!(first["found"][0]["applicant"], "张**", "names are masked");
    assert!(first["next"].is_null());
    // Keyset pages: two and two, nothing twice, nothing left out.
    let filter =
        shared::supervision::CaseFilter::parse(&shared::supervision::parse_query(oct)).unwrap();
    let now = Utc::now();
    let (page1, next) = search(&pool, Scope::County, &filter, None, 2, now)
        .await
        .unwrap();
    let (page2, end) = search(&pool, Scope::County, &filter, next, 2, now)
        .await
        .unwrap();
    let seen: Vec<&str> = page1
        .iter()
        .chain(&page2)
        .map(|f| f.number.as_str())
        .collect();
    assert_eq!(
        seen,
        [
            "411325-TEST-5",
            "411325-TEST-4",
            "411325-TEST-3",
            "411325-TEST-2"
        ]
    );
    assert!(end.is_none());

    // A bad filter names its field, on the page too (with the caller's-fault status).
    let bad: Value = answer(
        &app,
        &supervisor,
        "supervision/cases",
        "from=2026-13-01&center=x",
    )
    .await;
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["center", "from"]);
    let page = supervisor
        .get(format!("{}/supervision/cases?from=2026-13-01", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    assert!(page.text().await.unwrap().contains("起始日期格式应为"));
    let page = supervisor
        .get(format!(
            "{}/supervision?period=custom&from=2026-10-01&to=2026-09-01",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("截止日期不能早于起始日期"));
    let page = supervisor
        .get(format!(
            "{}/supervision?period=month&day=2026-10-01&by=center",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("2026年10月") && html.contains("<svg"),
        "figures and charts drawn by the server"
    );

    // Exports: the same list, masked, in CSV and XLSX; and recorded.
    let csv = supervisor
        .get(format!(
            "{}/supervision/export/cases.csv?{breached}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.contains("411325-TEST-3") && text.contains("411325-TEST-2"));
    assert!(text.contains("张**") && !text.contains("张秀英"));
    assert_eq!(text.lines().count(), 3);
    let xlsx = supervisor
        .get(format!(
            "{}/supervision/export/figures.xlsx?period=month&day=2026-10-01&by=center",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let exports: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'cases.export'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(exports, 1);

    // A manager of the township lists the township's cases, not the county's.
    sqlx::query(
        "INSERT INTO accounts (login_name, display_name, role, phone, password_hash, center_id)
         SELECT 'manager09', '湍东主任', 'manager', '13900000099', password_hash, $1
         FROM accounts WHERE login_name = 'manager01'",
    )
    .bind(township)
    .execute(&pool)
    .await
    .unwrap();
    let manager = app.client_as("manager09").await;
    assert_eq!(numbers(&app, &manager, &breached).await, ["2"]);
    assert_eq!(numbers(&app, &manager, oct).await, ["2"]);
    let theirs: Value = answer(
        &app,
        &manager,
        "supervision/figures",
        "period=month&day=2026-10-01&by=center",
    )
    .await;
    assert_eq!(theirs["county"], false);
    assert_eq!(theirs["total"]["received"], 1);

    // Agents, applicants and visitors see none of it; an agent gets their own figures only.
    let agent = app.client_as("agent01").await;
    for client in [&agent, &app.client_as("13800000001").await, &new_client()] {
        let res = app
            .call_with(client, "supervision/cases", &[("query", "")])
            .await;
        assert!(
            matches!(res.status().as_u16(), 401 | 403),
            "{}",
            res.status()
        );
        let _ = error_of(res).await;
        let res = app
            .call_with(client, "supervision/figures", &[("query", "")])
            .await;
        assert!(matches!(res.status().as_u16(), 401 | 403));
        let res = client
            .get(format!("{}/supervision/export/cases.csv", app.base))
            .send()
            .await
            .unwrap();
        assert!(matches!(res.status().as_u16(), 401 | 403));
    }
    let mine = app.call_with(&agent, "supervision/mine", &[]).await;
    assert_eq!(mine.status(), 200);
    let sup_mine = app.call_with(&supervisor, "supervision/mine", &[]).await;
    assert_eq!(sup_mine.status(), 403);
}
