//! Service quality against a real PostgreSQL: a bad rating followed up and rated again,
//! complaints only supervisors read, the limits, the figures, and who may NOT.

use crate::common;

use common::{apply, error_of, field_message, spawn, TestApp};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn act(app: &TestApp, agent: &Client, number: &str, action: Value) {
    let res = app.act(agent, number, action).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// An immediate item, assisted, done at the window and picked up there.
async fn finished_case(app: &TestApp) -> String {
    let number = apply(app, "发票申领", "assist").await;
    let agent = app.client_as("agent01").await;
    let sig = common::signature_data_url(true);
    act(
        app,
        &agent,
        &number,
        json!({"action": "receive", "signature": sig}),
    )
    .await;
    let ctx: Value = app
        .call_with(&agent, "work/context", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    let checks: Vec<Value> = ctx["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!({"name": m["name"], "status": "received"}))
        .collect();
    act(
        app,
        &agent,
        &number,
        json!({"action": "review", "checks": checks}),
    )
    .await;
    let window: i64 = sqlx::query_scalar("SELECT id FROM windows ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    act(
        app,
        &agent,
        &number,
        json!({"action": "go_to_window", "window_id": window, "applicant_attended": true}),
    )
    .await;
    act(
        app,
        &agent,
        &number,
        json!({"action": "issue_result", "note": "当场办结"}),
    )
    .await;
    act(
        app,
        &agent,
        &number,
        json!({"action": "start_delivery", "delivery": {"kind": "door"}}),
    )
    .await;
    act(
        app,
        &agent,
        &number,
        json!({"action": "complete", "returned_materials": "", "signature": sig}),
    )
    .await;
    number
}

async fn rate(
    app: &TestApp,
    client: &Client,
    number: &str,
    level: &str,
    comment: &str,
) -> reqwest::Response {
    app.call_with(
        client,
        "quality/rate",
        &[("number", number), ("level", level), ("comment", comment)],
    )
    .await
}

async fn view(app: &TestApp, client: &Client, number: &str) -> Value {
    app.call_with(client, "cases/view", &[("number", number)])
        .await
        .json()
        .await
        .unwrap()
}

async fn follow_up_id(app: &TestApp, number: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT f.id FROM follow_ups f JOIN cases c ON c.id = f.case_id WHERE c.number = $1",
    )
    .bind(number)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn messages(app: &TestApp, login: &str, template: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT n.body FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE a.login_name = $1 AND n.template = $2 AND n.channel = 'in_app' ORDER BY n.id",
    )
    .bind(login)
    .bind(template)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_bad_rating_is_followed_up_and_the_applicant_rates_again(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let open = apply(&app, "用水报装", "assist").await;
    let err = error_of(rate(&app, &applicant, &open, "satisfied", "").await).await;
    assert!(err["Rejected"].as_str().unwrap().contains("办结"), "{err}");

    let number = finished_case(&app).await;
    // The finished case's message asks for a rating.
    let done = messages(&app, "13800000001", "delivered").await;
    assert!(done.last().unwrap().contains("评价"), "{done:?}");
    assert_eq!(
        view(&app, &applicant, &number).await["rating"]["can_rate"],
        1
    );

    // Nobody else rates it: another applicant does not find it; staff may not rate at all.
    let other = app.client_as("13800000009").await;
    assert_eq!(
        rate(&app, &other, &number, "satisfied", "").await.status(),
        404
    );
    let agent = app.client_as("agent01").await;
    assert_eq!(
        rate(&app, &agent, &number, "satisfied", "").await.status(),
        403
    );

    // The bottom two need a reason.
    let res = rate(&app, &applicant, &number, "dissatisfied", "").await;
    assert_eq!(res.status(), 422);
    assert!(field_message(&error_of(res).await, "comment").is_some());
    let res = rate(
        &app,
        &applicant,
        &number,
        "dissatisfied",
        "窗口让我跑了两趟才办好",
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    let again = error_of(rate(&app, &applicant, &number, "satisfied", "").await).await;
    assert!(
        again["Rejected"]
            .as_str()
            .unwrap()
            .contains("回访整改完成后"),
        "{again}"
    );

    // The follow-up is due in working days and the unit's manager is told.
    let (contact_due, rectify_due, rated): (
        chrono::NaiveDate,
        chrono::NaiveDate,
        chrono::NaiveDate,
    ) = sqlx::query_as(
        "SELECT f.contact_due, f.rectify_due, (r.rated_at AT TIME ZONE 'Asia/Shanghai')::date
             FROM follow_ups f JOIN ratings r ON r.id = f.rating_id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let cal = shared::Calendar::china_2025_2026();
    assert_eq!(contact_due, cal.add_working_days(rated, 1).value);
    assert_eq!(rectify_due, cal.add_working_days(rated, 15).value);
    let told = messages(&app, "manager01", "bad_rating").await;
    assert_eq!(told.len(), 1);
    assert!(
        told[0].contains(&number) && told[0].contains("不满意"),
        "{told:?}"
    );

    let id = follow_up_id(&app, &number).await.to_string();
    let manager = app.client_as("manager01").await;
    // Agents, supervisors and managers of another unit record nothing.
    let contact = [
        ("id", id.as_str()),
        ("note", "12月1日电话回访，申请人反映窗口材料要求不一致"),
    ];
    assert_eq!(
        app.call_with(&agent, "quality/contacted", &contact)
            .await
            .status(),
        403
    );
    let supervisor = app.client_as("supervisor01").await;
    assert_eq!(
        app.call_with(&supervisor, "quality/contacted", &contact)
            .await
            .status(),
        403
    );
    let elsewhere = app.township_manager().await;
    assert_eq!(
        app.call_with(&elsewhere, "quality/contacted", &contact)
            .await
            .status(),
        404
    );
    let listed: Value = app
        .call_with(&elsewhere, "quality/follow_ups", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["rows"].as_array().unwrap().len(), 0);

    // Rectification comes after the contact; each step once.
    let rectify = [
        ("id", id.as_str()),
        ("found", "窗口一次性告知不完整，要求了清单外的材料"),
        ("rectification", "对窗口人员培训，材料清单张贴上墙"),
    ];
    let err = error_of(app.call_with(&manager, "quality/rectified", &rectify).await).await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("先记录回访"),
        "{err}"
    );
    let short = app
        .call_with(
            &manager,
            "quality/contacted",
            &[("id", id.as_str()), ("note", "打了")],
        )
        .await;
    assert!(field_message(&error_of(short).await, "note").is_some());
    assert!(app
        .call_with(&manager, "quality/contacted", &contact)
        .await
        .status()
        .is_success());
    assert_eq!(
        app.call_with(&manager, "quality/contacted", &contact)
            .await
            .status(),
        409
    );
    let listed: Value = app
        .call_with(&manager, "quality/follow_ups", &[])
        .await
        .json()
        .await
        .unwrap();
    let row = &listed["rows"][0];
    assert_eq!(row["follow_up"]["status"], "to_rectify");
    assert_eq!(
        row["phone"], "13800000001",
        "the manager calls the applicant back"
    );
    let county: Value = app
        .call_with(&supervisor, "quality/follow_ups", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        county["rows"][0]["phone"], "138****0001",
        "supervisors read, masked"
    );
    assert_eq!(county["open"][0], 1);
    assert!(app
        .call_with(&manager, "quality/rectified", &rectify)
        .await
        .status()
        .is_success());
    assert_eq!(messages(&app, "13800000001", "rectified").await.len(), 1);

    // Now the applicant may rate once more, and never again.
    let v = view(&app, &applicant, &number).await;
    assert_eq!(v["rating"]["can_rate"], 2);
    assert_eq!(v["rating"]["follow_up"]["status"], "closed");
    assert!(rate(&app, &applicant, &number, "satisfied", "")
        .await
        .status()
        .is_success());
    assert_eq!(
        rate(&app, &applicant, &number, "very_satisfied", "")
            .await
            .status(),
        409
    );
    let v = view(&app, &applicant, &number).await;
    assert_eq!(v["rating"]["ratings"].as_array().unwrap().len(), 2);
    assert!(v["rating"]["can_rate"].is_null());
    // The agent sees the ratings of the case they worked.
    let seen = view(&app, &agent, &number).await;
    assert_eq!(seen["rating"]["ratings"][0]["level"], "dissatisfied");

    // The figures count both ratings: one good, one bad.
    let figures: Value = app
        .call_with(
            &supervisor,
            "supervision/figures",
            &[("query", "period=month&by=agent")],
        )
        .await
        .json()
        .await
        .unwrap();
    let total = figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .fold((0, 0, 0), |t, r| {
            (
                t.0 + r["ratings"].as_i64().unwrap(),
                t.1 + r["ratings_good"].as_i64().unwrap(),
                t.2 + r["ratings_bad"].as_i64().unwrap(),
            )
        });
    assert_eq!(total, (2, 1, 1));
    let agent01 = figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "李帮办")
        .unwrap();
    assert_eq!(agent01["ratings"], 2);

    // The agent's own scorecard on the workbench carries them too.
    let mine: Value = app
        .call_with(&agent, "supervision/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (mine["ratings"].as_i64(), mine["ratings_bad"].as_i64()),
        (Some(2), Some(1))
    );

    // History: the server's role may not change or remove a rating or a step.
    app.assert_history_only(&[
        "UPDATE ratings SET level = 5",
        "DELETE FROM ratings",
        "UPDATE follow_up_steps SET note = 'x'",
        "DELETE FROM follow_ups",
    ])
    .await;
}

/// Complaints in the caller's figures of this month, over all rows.
async fn complaints_counted(app: &TestApp, client: &Client) -> i64 {
    let figures: Value = app
        .call_with(
            client,
            "supervision/figures",
            &[("query", "period=month&by=center")],
        )
        .await
        .json()
        .await
        .unwrap();
    figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["complaints"].as_i64().unwrap())
        .sum()
}

async fn complain(app: &TestApp, client: &Client, form: Vec<(&str, String)>) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.call_with(client, "quality/complain", &pairs).await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn complaints_reach_supervisors_only_and_the_complainant_hears_the_outcome(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    // A visitor proves the phone by a code, then complains about agent01 and the case.
    let visitor = common::new_client();
    let phone = "13700000077";
    let res = app
        .call_with(&visitor, "quality/complaint_code", &[("phone", phone)])
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let code = app.last_code(phone).await.expect("a code was queued");
    let form = |code: &str| {
        vec![
            ("phone", phone.to_string()),
            ("code", code.to_string()),
            ("center", String::new()),
            ("agent_name", "李帮办".to_string()),
            ("case_number", number.clone()),
            ("misconduct", "on".to_string()),
            ("content", "代办员暗示要请吃饭才能尽快办理".to_string()),
        ]
    };
    let county: i64 = sqlx::query_scalar("SELECT id FROM centers WHERE kind = 'county_center'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Every wrong field at once; then a wrong code.
    let err = error_of(complain(&app, &visitor, form("")).await).await;
    assert!(field_message(&err, "center").is_some(), "{err}");
    let mut f = form("000000");
    f[2].1 = county.to_string();
    let err = error_of(complain(&app, &visitor, f).await).await;
    assert!(field_message(&err, "code").is_some(), "{err}");
    let mut f = form("");
    f[1].1 = code;
    f[2].1 = county.to_string();
    let res = complain(&app, &visitor, f).await;
    assert!(res.status().is_success(), "{}", res.status());
    let (complaint, _due): (String, chrono::NaiveDate) = res.json().await.unwrap();
    assert!(complaint.starts_with("TS"));
    let linked: (String, Option<i64>, Option<i64>, bool) = sqlx::query_as(
        "SELECT about, agent_id, case_id, misconduct FROM complaints WHERE number = $1",
    )
    .bind(&complaint)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(linked.0, "case");
    assert!(linked.1.is_some() && linked.2.is_some() && linked.3);

    // Only supervisors read it; the agent concerned is never told.
    for login in ["agent01", "manager01", "13800000001"] {
        let c = app.client_as(login).await;
        assert_eq!(
            app.call_with(&c, "quality/complaints", &[]).await.status(),
            403,
            "{login}"
        );
        assert_eq!(
            app.get_as(&c, "/quality/complaints").await.status(),
            403,
            "{login}"
        );
    }
    let agent_heard: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE a.login_name = 'agent01' AND n.body LIKE '%投诉%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(agent_heard, 0);
    assert_eq!(messages(&app, "supervisor01", "complaint").await.len(), 1);
    let supervisor = app.client_as("supervisor01").await;
    let list: Value = app
        .call_with(&supervisor, "quality/complaints", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["number"], complaint.as_str());
    assert_eq!(list[0]["agent"], "李帮办");
    let id = list[0]["id"].as_i64().unwrap().to_string();

    // The outcome needs a verdict; it is recorded once and sent to the complainant's phone.
    let err = error_of(
        app.call_with(
            &supervisor,
            "quality/answer",
            &[("id", &id), ("verdict", ""), ("outcome", "")],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "verdict").is_some() && field_message(&err, "outcome").is_some());
    let answer = [
        ("id", id.as_str()),
        ("verdict", "yes"),
        ("outcome", "经调查属实，已对该代办员通报批评并调离岗位"),
    ];
    assert!(app
        .call_with(&supervisor, "quality/answer", &answer)
        .await
        .status()
        .is_success());
    assert_eq!(
        app.call_with(&supervisor, "quality/answer", &answer)
            .await
            .status(),
        409
    );
    let sms: String = sqlx::query_scalar(
        "SELECT body FROM notifications WHERE phone = $1 AND template = 'complaint_answered'",
    )
    .bind(phone)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(sms.contains(&complaint) && sms.contains("属实"), "{sms}");

    // A logged-in applicant's verified phone needs no code.
    let applicant = app.client_as("13800000001").await;
    let county = county.to_string();
    let res = app
        .call_with(
            &applicant,
            "quality/complain",
            &[
                ("phone", "13800000001"),
                ("center", &county),
                ("content", "窗口工作人员态度生硬，不解释就让回去"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());

    // Supervisors' figures count complaints; a unit's figures do not show them.
    assert_eq!(complaints_counted(&app, &supervisor).await, 2);
    let manager = app.client_as("manager01").await;
    assert_eq!(complaints_counted(&app, &manager).await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn supervisors_set_the_limits_field_by_field_and_it_is_audited(pool: PgPool) {
    let app = spawn(pool).await;
    let supervisor = app.client_as("supervisor01").await;
    let bad = app
        .call_with(
            &supervisor,
            "quality/limits",
            &[
                ("contact_days", "0"),
                ("rectify_days", "x"),
                ("complaint_days", "3"),
            ],
        )
        .await;
    let err = error_of(bad).await;
    assert!(field_message(&err, "contact_days").is_some());
    assert!(field_message(&err, "rectify_days").is_some());
    assert!(field_message(&err, "complaint_days").is_none());
    let ok = app
        .call_with(
            &supervisor,
            "quality/limits",
            &[
                ("contact_days", "2"),
                ("rectify_days", "10"),
                ("complaint_days", "3"),
            ],
        )
        .await;
    assert!(ok.status().is_success());
    let limits: Value = app
        .call_with(&supervisor, "quality/follow_ups", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        limits["limits"],
        json!({"contact_days": 2, "rectify_days": 10, "complaint_days": 3})
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'quality.limits'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn late_follow_ups_complaints_and_actions_are_told_once(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let number = finished_case(&app).await;
    assert!(rate(
        &app,
        &applicant,
        &number,
        "very_dissatisfied",
        "态度很差，反复刁难"
    )
    .await
    .status()
    .is_success());
    let county: String =
        sqlx::query_scalar("SELECT id::text FROM centers WHERE kind = 'county_center'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let res = app
        .call_with(
            &applicant,
            "quality/complain",
            &[
                ("phone", "13800000001"),
                ("center", &county),
                ("content", "窗口人员办事拖拉推诿，态度很差"),
            ],
        )
        .await;
    assert!(res.status().is_success());
    assert_eq!(
        app::quality::ssr::late_alerts(&app.pool).await.unwrap(),
        0,
        "nothing is late yet"
    );
    // The days pass (the owner moves the due days back; the server's role could not).
    sqlx::query("UPDATE follow_ups SET contact_due = '2026-01-05', rectify_due = '2026-01-20'")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE complaints SET due = '2026-01-05'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app::quality::ssr::late_alerts(&app.pool).await.unwrap(), 2);
    assert_eq!(
        app::quality::ssr::late_alerts(&app.pool).await.unwrap(),
        0,
        "each once"
    );
    let late = messages(&app, "manager01", "follow_up_late").await;
    assert!(
        late[0].contains(&number) && late[0].contains("回访"),
        "{late:?}"
    );
    assert_eq!(
        messages(&app, "supervisor01", "complaint_late").await.len(),
        1
    );
    assert!(messages(&app, "agent01", "complaint_late").await.is_empty());

    // A resolution past its day: the supervisors and who set it hear of it, once.
    let inspection: i64 = sqlx::query_scalar(
        "INSERT INTO inspections (title, center_id, period_from, period_to, sample_size, seed,
                                  sample, planned_by)
         SELECT '专项检查', id, '2026-01-01', '2026-01-31', 1, 7, '{}',
                (SELECT id FROM accounts WHERE login_name = 'supervisor01')
         FROM centers WHERE kind = 'county_center' RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO actions (inspection_id, text, owner, due, created_by)
         SELECT $1, '补齐案卷材料', '县中心综合窗口', '2026-01-10', id FROM accounts
         WHERE login_name = 'supervisor01'",
    )
    .bind(inspection)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        app::oversight::ssr::late_alerts(&app.pool).await.unwrap(),
        1
    );
    assert_eq!(
        app::oversight::ssr::late_alerts(&app.pool).await.unwrap(),
        0
    );
    assert_eq!(messages(&app, "supervisor01", "action_late").await.len(), 1);
}
