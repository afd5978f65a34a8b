//! Working cases to delivery (the agent side) against a real PostgreSQL: both paths end to end,
//! missing → supplement → complete, forwarding from a station, two agents at once, and who may
//! not act.

mod common;

use common::{error_of, field_message, spawn, TestApp};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;

fn png_data_url() -> String {
    common::signature_data_url(true)
}

fn citizen_form(mode: &str) -> Value {
    json!({
        "applicant_kind": "citizen",
        "unit_name": "张秀英",
        "address": "内乡县湍东镇八里营村3组",
        "id_number": "11010519491231002X",
        "handler_name": "张秀英",
        "handler_phone": "13800000001",
        "services": ["window_acceptance", "mail_delivery"],
        "mail_address": "内乡县湍东镇八里营村3组",
        "mail_recipient": "张秀英",
        "mode": mode,
        "terms_accepted": true
    })
}

/// Applies for `item` as the demo applicant; returns the case number.
async fn apply(app: &TestApp, item: &str, mode: &str) -> String {
    let applicant = app.client_as("13800000001").await;
    let id: i64 = sqlx::query_scalar(
        "SELECT i.id FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed' WHERE i.name = $1",
    )
    .bind(item)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let ctx: Value = app
        .call_with(
            &applicant,
            "cases/apply_context",
            &[("item_id", &id.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .call_json(
            &applicant,
            "cases/submit",
            &json!({"item_id": id, "token": ctx["token"], "form": citizen_form(mode), "signature": png_data_url()}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn context(app: &TestApp, agent: &Client, number: &str) -> Value {
    let res = app
        .call_with(agent, "work/context", &[("number", number)])
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.unwrap()
}

async fn act(app: &TestApp, agent: &Client, number: &str, action: Value) -> reqwest::Response {
    let version = context(app, agent, number).await["version"].clone();
    app.call_json(
        agent,
        "work/act",
        &json!({"number": number, "version": version, "action": action}),
    )
    .await
}

async fn step(app: &TestApp, agent: &Client, number: &str, action: Value) {
    let res = act(app, agent, number, action.clone()).await;
    assert!(
        res.status().is_success(),
        "{action}: {}",
        res.text().await.unwrap()
    );
}

async fn state(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar("SELECT state FROM cases WHERE number = $1")
        .bind(number)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn window(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM windows ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn all_received(ctx: &Value) -> Value {
    let checks: Vec<Value> = ctx["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!({"name": m["name"], "status": "received"}))
        .collect();
    json!({"action": "review", "checks": checks})
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_promised_item_by_proxy_with_a_special_step_goes_to_mail_delivery(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "建设项目环境影响评价报告书审批", "proxy").await;
    let agent = app.client_as("agent01").await;

    step(&app, &agent, &number, json!({"action": "receive"})).await;
    let ctx = context(&app, &agent, &number).await;
    step(&app, &agent, &number, all_received(&ctx)).await;
    assert_eq!(state(&app, &number).await, "materials_complete");
    // Promised items need the handover and entrustment, signed; the window comes after.
    let res = act(
        &app,
        &agent,
        &number,
        json!({"action": "go_to_window", "window_id": window(&app).await, "on_behalf": true}),
    )
    .await;
    assert!(error_of(res).await["Rejected"]
        .as_str()
        .unwrap()
        .contains("承诺类事项须先办理材料交接"));
    let err = error_of(
        act(
            &app,
            &agent,
            &number,
            json!({"action": "handover", "signature": ""}),
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "signature").is_some());
    step(
        &app,
        &agent,
        &number,
        json!({"action": "handover", "signature": png_data_url()}),
    )
    .await;
    // The handover record lists what was received and carries the signature.
    let record: Value = app
        .call_with(&agent, "cases/handover", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        record["materials"].as_array().unwrap().len(),
        ctx["materials"].as_array().unwrap().len()
    );
    assert!(record["signature_file"].is_i64(), "{record}");
    let err = error_of(act(&app, &agent, &number, json!({"action": "submit_to_window", "window_id": window(&app).await, "receipt_number": ""})).await).await;
    assert!(field_message(&err, "receipt_number").is_some());
    step(&app, &agent, &number, json!({"action": "submit_to_window", "window_id": window(&app).await, "receipt_number": "SJ-2026-0815"})).await;
    step(
        &app,
        &agent,
        &number,
        json!({"action": "window_accept", "note": ""}),
    )
    .await;
    // The item says expert review does not count toward the limit, whatever the agent sends.
    step(&app, &agent, &number, json!({"action": "start_special_step", "step": "expert_review", "counts_toward_limit": true, "note": "专家评审会"})).await;
    let view: Value = app
        .call_with(&agent, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    let processing = view["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "department_processing")
        .unwrap()
        .clone();
    assert_eq!(processing["status"], "paused");
    let err = error_of(act(&app, &agent, &number, json!({"action": "start_special_step", "step": "site_inspection", "counts_toward_limit": false, "note": ""})).await).await;
    assert!(
        err.get("Invalid").is_some() || err.get("Rejected").is_some(),
        "{err}"
    );
    step(
        &app,
        &agent,
        &number,
        json!({"action": "end_special_step", "outcome": "评审通过"}),
    )
    .await;
    step(
        &app,
        &agent,
        &number,
        json!({"action": "issue_result", "note": ""}),
    )
    .await;
    let err = error_of(act(&app, &agent, &number, json!({"action": "start_delivery", "delivery": {"kind": "mail", "address": "内乡县湍东镇八里营村3组", "recipient": "张秀英", "carrier": "中国邮政EMS", "tracking_number": "12"}})).await).await;
    assert!(field_message(&err, "tracking_number").is_some());
    step(&app, &agent, &number, json!({"action": "start_delivery", "delivery": {"kind": "mail", "address": "内乡县湍东镇八里营村3组", "recipient": "张秀英", "carrier": "中国邮政EMS", "tracking_number": "EA123456789CN"}})).await;
    step(
        &app,
        &agent,
        &number,
        json!({"action": "complete", "returned_materials": "原件已随结果退还"}),
    )
    .await;
    assert_eq!(state(&app, &number).await, "completed");

    // The applicant sees every step and the tracking number; each step sent a message.
    let applicant = app.client_as("13800000001").await;
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    let labels: Vec<&str> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "提交申请",
            "接收申请",
            "审核通过，材料齐全",
            "材料交接并签署委托协议",
            "递交窗口",
            "窗口受理",
            "进入特殊环节",
            "特殊环节结束",
            "出具审批结果",
            "送达结果",
            "办结"
        ]
    );
    assert!(view["timeline"].to_string().contains("EA123456789CN"));
    assert_eq!(view["agent"][0], "李帮办");
    let sms: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE channel = 'sms'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sms, 11, "one message per step");
    let signatures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM stored_files WHERE purpose = 'signature'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(signatures, 2, "application + handover");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_immediate_item_with_assist_is_done_at_the_window(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    let agent = app.client_as("agent01").await;
    step(&app, &agent, &number, json!({"action": "receive"})).await;
    let ctx = context(&app, &agent, &number).await;
    step(&app, &agent, &number, all_received(&ctx)).await;
    let err = error_of(
        act(
            &app,
            &agent,
            &number,
            json!({"action": "handover", "signature": png_data_url()}),
        )
        .await,
    )
    .await;
    assert!(err["Rejected"]
        .as_str()
        .unwrap()
        .contains("即办类事项直接到窗口办理"));
    step(
        &app,
        &agent,
        &number,
        json!({"action": "go_to_window", "window_id": window(&app).await, "on_behalf": false}),
    )
    .await;
    step(
        &app,
        &agent,
        &number,
        json!({"action": "issue_result", "note": "当场办结"}),
    )
    .await;
    step(
        &app,
        &agent,
        &number,
        json!({"action": "start_delivery", "delivery": {"kind": "door"}}),
    )
    .await;
    // Door delivery: the recipient signs on the agent's device.
    step(
        &app,
        &agent,
        &number,
        json!({"action": "complete", "returned_materials": "", "signature": png_data_url()}),
    )
    .await;
    assert_eq!(state(&app, &number).await, "completed");
    let signed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stored_files WHERE purpose = 'signature' AND original_name = '签收签名.png'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(signed, 1);
    let due: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT due_at FROM cases WHERE number = $1")
            .bind(&number)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(due.is_none(), "no clock runs on a completed case");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn missing_materials_get_one_notice_then_the_supplement_restarts_the_review(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "最低生活保障申请", "assist").await;
    let agent = app.client_as("agent01").await;
    step(&app, &agent, &number, json!({"action": "receive"})).await;
    let ctx = context(&app, &agent, &number).await;
    let first = ctx["materials"][0]["name"].as_str().unwrap().to_string();
    let mut review = all_received(&ctx);
    review["checks"][0] =
        json!({"name": first, "status": "missing", "reason": "未带原件", "how_to_get": ""});
    let err = error_of(act(&app, &agent, &number, review.clone()).await).await;
    assert!(field_message(&err, "checks")
        .unwrap()
        .contains("须写明获取途径"));
    review["checks"][0]["how_to_get"] = json!("乡镇便民服务中心领取");
    step(&app, &agent, &number, review.clone()).await;
    assert_eq!(state(&app, &number).await, "awaiting_supplement");

    let applicant = app.client_as("13800000001").await;
    let notice: Value = app
        .call_with(&applicant, "cases/notice", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(notice["seq"], 1);
    assert_eq!(notice["missing"][0]["name"], first);
    assert_eq!(notice["missing"][0]["how_to_get"], "乡镇便民服务中心领取");
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    let waiting = view["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "applicant_waiting")
        .unwrap()
        .clone();
    assert_eq!(waiting["status"], "running");
    assert!(view["notice"].is_object());

    assert!(app
        .call_with(&applicant, "cases/supplement_done", &[("number", &number)])
        .await
        .status()
        .is_success());
    assert_eq!(state(&app, &number).await, "received");
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    let reviews: Vec<&Value> = view["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "agent_review")
        .collect();
    assert_eq!(reviews.len(), 2, "the review clock restarts as a new run");

    // A second notice is an exception: it needs its reason and is marked.
    let err = error_of(act(&app, &agent, &number, review.clone()).await).await;
    assert!(field_message(&err, "second_notice_reason").is_some());
    review["second_notice_reason"] = json!("补交的证明已过期");
    step(&app, &agent, &number, review).await;
    let notice: Value = app
        .call_with(&applicant, "cases/notice", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(notice["seq"], 2);
    assert_eq!(notice["second_reason"], "补交的证明已过期");
    step(
        &app,
        &agent,
        &number,
        json!({"action": "supplement", "note": "现场补齐"}),
    )
    .await;
    let ctx = context(&app, &agent, &number).await;
    step(&app, &agent, &number, all_received(&ctx)).await;
    assert_eq!(state(&app, &number).await, "materials_complete");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_station_forwards_a_case_to_the_county_center(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "最低生活保障申请", "proxy").await;
    // A walk-in at the village station (registered there).
    sqlx::query("UPDATE cases SET center_id = (SELECT id FROM centers WHERE name = '湍东镇八里营村便民服务站'), department_id = NULL WHERE number = $1")
        .bind(&number)
        .execute(&app.pool)
        .await
        .unwrap();
    let village = app.client_as("agent03").await;
    step(&app, &village, &number, json!({"action": "receive"})).await;
    let err = error_of(
        act(
            &app,
            &village,
            &number,
            json!({"action": "forward", "note": ""}),
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "note").is_some());
    step(
        &app,
        &village,
        &number,
        json!({"action": "forward", "note": "申请人行动不便，材料已收齐，转县中心代办"}),
    )
    .await;
    assert_eq!(state(&app, &number).await, "submitted");
    let err = error_of(
        app.call_with(&village, "work/context", &[("number", &number)])
            .await,
    )
    .await;
    assert_eq!(err, json!("NotFound"), "the station no longer holds it");
    let county = app.client_as("agent01").await;
    step(&app, &county, &number, json!({"action": "receive"})).await;
    // The county center cannot forward further.
    let err = error_of(
        act(
            &app,
            &county,
            &number,
            json!({"action": "forward", "note": "再转一次"}),
        )
        .await,
    )
    .await;
    assert!(err["Rejected"].as_str().unwrap().contains("转报"), "{err}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_agents_at_once_one_wins_and_the_other_is_told_to_reload(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    let a = app.client_as("agent01").await;
    let b = app.client_as("agent04").await;
    let version = context(&app, &a, &number).await["version"].clone();
    let body = json!({"number": number, "version": version, "action": {"action": "receive"}});
    let (ra, rb) = tokio::join!(
        app.call_json(&a, "work/act", &body),
        app.call_json(&b, "work/act", &body)
    );
    let ok = [ra.status().is_success(), rb.status().is_success()];
    assert_eq!(ok.iter().filter(|x| **x).count(), 1, "exactly one wins");
    let loser = if ok[0] { rb } else { ra };
    assert_eq!(
        error_of(loser).await["Rejected"],
        "此代办件刚被他人更新，请刷新页面后再操作"
    );
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(events, 2, "submit + one receive, nothing half-applied");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_agents_of_the_case_may_act(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    let body = json!({"number": number, "version": 1, "action": {"action": "receive"}});
    let village = app.client_as("agent03").await;
    assert_eq!(
        error_of(app.call_json(&village, "work/act", &body).await).await,
        json!("NotFound")
    );
    for login in ["13800000001", "supervisor01", "admin01"] {
        let client = app.client_as(login).await;
        assert_eq!(
            error_of(app.call_json(&client, "work/act", &body).await).await,
            json!("Forbidden"),
            "{login}"
        );
        assert_eq!(
            error_of(
                app.call_with(&client, "work/queue", &[("queue", "new")])
                    .await
            )
            .await,
            json!("Forbidden"),
            "{login}"
        );
    }
    // A step that does not fit the state is refused in plain words.
    let agent = app.client_as("agent01").await;
    let err = error_of(
        act(
            &app,
            &agent,
            &number,
            json!({"action": "issue_result", "note": ""}),
        )
        .await,
    )
    .await;
    assert_eq!(err["Rejected"], "当前状态为“已提交”，不能出具审批结果");
    // The queue shows it to the county agent, nearest due first.
    let rows: Vec<Value> = app
        .call_with(&agent, "work/queue", &[("queue", "new")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rows[0]["number"], number);
    let rows: Vec<Value> = app
        .call_with(&village, "work/queue", &[("queue", "new")])
        .await
        .json()
        .await
        .unwrap();
    assert!(rows.is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_agent_registers_a_walk_in_and_the_person_claims_the_account_later(pool: PgPool) {
    let app = spawn(pool).await;
    let village = app.client_as("agent03").await;
    let item: i64 = sqlx::query_scalar(
        "SELECT i.id FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed' WHERE i.name = '最低生活保障申请'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let ctx: Value = app
        .call_with(
            &village,
            "cases/apply_context",
            &[("item_id", &item.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ctx["staff"], true);
    assert_eq!(
        ctx["form"]["handler_phone"], "",
        "nothing of the agent's own is filled in"
    );
    let mut form = citizen_form("proxy");
    form["handler_phone"] = json!("13700001234");
    form["handler_name"] = json!("张秀英");
    let body = |channel: &str| json!({"item_id": item, "token": ctx["token"], "form": form, "signature": png_data_url(), "channel": channel});
    let err = error_of(
        app.call_json(&village, "cases/submit", &body("online"))
            .await,
    )
    .await;
    assert!(field_message(&err, "channel").is_some());
    let res = app
        .call_json(&village, "cases/submit", &body("walk_in"))
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let number: String = res.json().await.unwrap();

    // Received at the station by the agent at once, the applicant's account made unclaimed.
    let (state, channel, center, agent): (String, String, String, String) = sqlx::query_as(
        "SELECT c.state, c.channel, ce.name, a.login_name FROM cases c JOIN centers ce ON ce.id = c.center_id
         JOIN accounts a ON a.id = c.agent_id WHERE c.number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (
            state.as_str(),
            channel.as_str(),
            center.as_str(),
            agent.as_str()
        ),
        ("received", "walk_in", "湍东镇八里营村便民服务站", "agent03")
    );
    // Nobody can log in to the unclaimed account…
    let res = app
        .call_with(
            &common::new_client(),
            "login",
            &[("login_name", "13700001234"), ("password", "!")],
        )
        .await;
    assert!(!res.status().is_success());
    // …until the person registers with that phone; then the case is theirs.
    let person = common::new_client();
    let res = app
        .call_with(
            &person,
            "register",
            &[
                ("phone", "13700001234"),
                ("display_name", "张秀英"),
                ("password", "mima-2026-ok"),
                ("password_confirm", "mima-2026-ok"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let mine: Vec<Value> = app
        .call_with(&person, "cases/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["number"], number);
    // A claimed account cannot be registered twice.
    let err = error_of(
        app.call_with(
            &common::new_client(),
            "register",
            &[
                ("phone", "13700001234"),
                ("display_name", "冒名"),
                ("password", "another-pass-9"),
                ("password_confirm", "another-pass-9"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "phone").as_deref(),
        Some("该手机号已注册，请直接登录")
    );
    // The station forwards it to the county center as usual.
    step(
        &app,
        &village,
        &number,
        json!({"action": "forward", "note": "申请人行动不便，转县中心代办"}),
    )
    .await;
}
