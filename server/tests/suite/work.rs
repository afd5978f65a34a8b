//! Working cases to delivery (the agent side) against a real PostgreSQL: both paths end to end,
//! missing → supplement → complete, forwarding from a station, two agents at once, and who may
//! not act.

use crate::common;

use common::{apply, citizen_form, error_of, field_message, spawn, TestApp};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;

fn png_data_url() -> String {
    common::signature_data_url(true)
}

/// The agent takes the case, signing under 代办人.
fn receive() -> Value {
    json!({"action": "receive", "signature": png_data_url()})
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

/// The error a step is refused with.
async fn refused(app: &TestApp, agent: &Client, number: &str, action: Value) -> Value {
    error_of(act(app, agent, number, action).await).await
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

    step(&app, &agent, &number, receive()).await;
    let ctx = context(&app, &agent, &number).await;
    step(&app, &agent, &number, all_received(&ctx)).await;
    assert_eq!(state(&app, &number).await, "materials_complete");
    // Promised items need the handover and entrustment, signed; the window comes after.
    let res = act(
        &app,
        &agent,
        &number,
        json!({"action": "go_to_window", "window_id": window(&app).await}),
    )
    .await;
    assert!(error_of(res).await["Rejected"]
        .as_str()
        .unwrap()
        .contains("承诺类事项须先办理材料交接"));
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "handover", "signature": ""}),
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
    let err = refused(&app, &agent, &number, json!({"action": "submit_to_window", "window_id": window(&app).await, "receipt_number": ""})).await;
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
    let err = refused(&app, &agent, &number, json!({"action": "start_special_step", "step": "site_inspection", "counts_toward_limit": false, "note": ""})).await;
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
    let err = refused(&app, &agent, &number, json!({"action": "start_delivery", "delivery": {"kind": "mail", "address": "内乡县湍东镇八里营村3组", "recipient": "张秀英", "carrier": "中国邮政EMS", "tracking_number": "12"}})).await;
    assert!(field_message(&err, "tracking_number").is_some());
    step(&app, &agent, &number, json!({"action": "start_delivery", "delivery": {"kind": "mail", "address": "内乡县湍东镇八里营村3组", "recipient": "张秀英", "phone": "13800000001", "carrier": "中国邮政EMS", "tracking_number": "EA123456789CN"}})).await;
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
    assert_eq!(signatures, 3, "application + agent on receipt + handover");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_immediate_item_with_assist_is_done_at_the_window(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    let agent = app.client_as("agent01").await;
    step(&app, &agent, &number, receive()).await;
    let ctx = context(&app, &agent, &number).await;
    step(&app, &agent, &number, all_received(&ctx)).await;
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "handover", "signature": png_data_url()}),
    )
    .await;
    assert!(
        err["Rejected"]
            .as_str()
            .unwrap()
            .contains("帮办无需材料交接"),
        "{err}"
    );
    // Assist: the applicant goes to the window in person, and the agent says so.
    let window_id = window(&app).await;
    let go = |attended: bool| json!({"action": "go_to_window", "window_id": window_id, "applicant_attended": attended});
    let err = refused(&app, &agent, &number, go(false)).await;
    assert!(field_message(&err, "applicant_attended")
        .unwrap()
        .contains("申请人本人"));
    step(&app, &agent, &number, go(true)).await;
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
    // Door delivery: the recipient signs on the agent's device, and must.
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "complete", "returned_materials": "", "signature": ""}),
    )
    .await;
    assert_eq!(
        field_message(&err, "signature").unwrap(),
        "上门送达须请签收人签名"
    );
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
    step(&app, &agent, &number, receive()).await;
    let ctx = context(&app, &agent, &number).await;
    let first = ctx["materials"][0]["name"].as_str().unwrap().to_string();
    let mut review = all_received(&ctx);
    // Nothing passes unchecked: an unset row, or a row left out, is refused.
    let mut unchecked = review.clone();
    unchecked["checks"][0]["status"] = json!("unset");
    let err = refused(&app, &agent, &number, unchecked).await;
    assert!(field_message(&err, "checks").unwrap().contains("尚未核对"));
    let mut short = review.clone();
    short["checks"].as_array_mut().unwrap().remove(0);
    let err = refused(&app, &agent, &number, short).await;
    assert!(field_message(&err, "checks")
        .unwrap()
        .contains("材料清单不一致"));
    review["checks"][0] = json!({"name": first, "status": "missing", "reason": "", "how_to_get": "乡镇便民服务中心领取"});
    let err = refused(&app, &agent, &number, review.clone()).await;
    assert!(field_message(&err, "checks").unwrap().contains("缺少原因"));
    review["checks"][0] =
        json!({"name": first, "status": "missing", "reason": "未带原件", "how_to_get": ""});
    let err = refused(&app, &agent, &number, review.clone()).await;
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
    // The printed notice says who issued it and whom to call.
    assert_eq!(notice["agent"], "李帮办");
    assert!(
        !notice["agent_phone"].as_str().unwrap().is_empty(),
        "{notice}"
    );
    assert!(!notice["center"].as_str().unwrap().is_empty(), "{notice}");
    // A file for that material answers that line of the notice.
    let res = common::upload_for(&app, &applicant, &number, &first).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
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
    assert!(view["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["material"] == first.as_str()));
    // The applicant's own page shows their details whole; a supervisor's masks them.
    assert_eq!(view["application"]["handler_phone"], "13800000001");
    let supervisor = app.client_as("supervisor01").await;
    let watched: Value = app
        .call_with(&supervisor, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(watched["application"]["handler_phone"], "138****0001");
    assert_eq!(watched["application"]["id_number"], "110105********002X");
    assert_eq!(watched["contact_full"], false);
    let worked: Value = app
        .call_with(&agent, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(worked["application"]["id_number"], "11010519491231002X");

    assert!(app
        .call_with(&applicant, "cases/supplement_done", &[("number", &number)])
        .await
        .status()
        .is_success());
    assert_eq!(state(&app, &number).await, "received");
    // The responsible agent is told at once (issue 14).
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT n.body FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE a.login_name = 'agent01' AND n.template = 'staff_supplement'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(told.len(), 1);
    assert!(told[0].contains(&number), "{told:?}");
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
    let err = refused(&app, &agent, &number, review.clone()).await;
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
async fn a_case_goes_up_the_tree_and_the_stations_keep_watching(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "最低生活保障申请", "proxy").await;
    // A walk-in at the village station (registered there).
    sqlx::query("UPDATE cases SET center_id = (SELECT id FROM centers WHERE name = '湍东镇八里营村便民服务站'), department_id = NULL WHERE number = $1")
        .bind(&number)
        .execute(&app.pool)
        .await
        .unwrap();
    let village = app.client_as("agent03").await;
    step(&app, &village, &number, receive()).await;
    let err = refused(
        &app,
        &village,
        &number,
        json!({"action": "forward", "note": ""}),
    )
    .await;
    assert!(field_message(&err, "note").is_some());
    step(
        &app,
        &village,
        &number,
        json!({"action": "forward", "note": "申请人行动不便，材料已收齐，转镇中心代办"}),
    )
    .await;
    let at = |app: &TestApp| {
        let number = number.clone();
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (String, String, Option<i64>)>(
                "SELECT c.state, ce.name, c.agent_id FROM cases c JOIN centers ce ON ce.id = c.center_id WHERE c.number = $1",
            )
            .bind(number)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    // One level up: the village station's township center, nobody responsible yet.
    assert_eq!(
        at(&app).await,
        ("submitted".into(), "湍东镇便民服务中心".into(), None)
    );
    // The station still sees the case and its progress, read-only.
    let ctx = context(&app, &village, &number).await;
    assert_eq!(ctx["allowed"], json!([]), "{ctx}");
    let view: Value = app
        .call_with(&village, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        view["read_only"]
            .as_str()
            .is_some_and(|r| r.contains("湍东镇便民服务中心")),
        "{view}"
    );
    let err = refused(
        &app,
        &village,
        &number,
        json!({"action": "terminate", "reason": "不办了"}),
    )
    .await;
    assert!(err["Rejected"].is_string(), "{err}");
    let forwarded: Vec<Value> = app
        .call_with(&village, "work/queue", &[("queue", "forwarded")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(forwarded[0]["number"], number);
    let counts: Vec<(String, i64)> = app
        .call_with(&village, "work/counts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(counts.contains(&("forwarded".into(), 1)), "{counts:?}");
    assert!(counts.contains(&("new".into(), 0)), "{counts:?}");

    let township = app.client_as("agent06").await;
    step(&app, &township, &number, receive()).await;
    step(
        &app,
        &township,
        &number,
        json!({"action": "forward", "note": "需县民政局审批，转县中心"}),
    )
    .await;
    assert_eq!(at(&app).await.1, "内乡县行政审批服务中心");
    let county = app.client_as("agent01").await;
    step(&app, &county, &number, receive()).await;
    // The county center cannot forward further.
    let err = refused(
        &app,
        &county,
        &number,
        json!({"action": "forward", "note": "再转一次"}),
    )
    .await;
    assert!(err["Rejected"].as_str().unwrap().contains("转报"), "{err}");
    // Both stations follow it; the applicant sees the whole way.
    for station in [&village, &township] {
        let view: Value = app
            .call_with(station, "cases/view", &[("number", &number)])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(view["state"], "received");
        assert_eq!(view["can_act"], false);
    }
    let labels: Vec<String> = sqlx::query_scalar(
        "SELECT e.event->>'kind' FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1 ORDER BY e.id",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        labels,
        ["submit", "receive", "forward", "receive", "forward", "receive"]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_agents_at_once_one_wins_and_the_other_is_told_to_reload(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    let a = app.client_as("agent01").await;
    let b = app.client_as("agent04").await;
    let version = context(&app, &a, &number).await["version"].clone();
    let body = json!({"number": number, "version": version, "action": receive()});
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
    // Nor may anyone but the applicant and the case's agents put files on it.
    let files = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM stored_files f JOIN cases c ON c.id = f.case_id WHERE c.number = $1",
        )
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let before = files().await;
    for login in ["agent03", "supervisor01", "admin01"] {
        let client = app.client_as(login).await;
        let res = common::upload_for(&app, &client, &number, "增值税专用发票申请表").await;
        assert!(
            [403, 404].contains(&res.status().as_u16()),
            "{login}: {}",
            res.status()
        );
    }
    assert_eq!(files().await, before);
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
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "issue_result", "note": ""}),
    )
    .await;
    assert_eq!(
        err["Rejected"],
        "此代办件尚未接收：请先接收，接收后由您承办"
    );
    step(&app, &agent, &number, receive()).await;
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "issue_result", "note": ""}),
    )
    .await;
    assert_eq!(
        err["Rejected"],
        "当前状态为“已接收，审核中”，不能出具审批结果"
    );
    // The queue shows it to the county agent, nearest due first.
    let rows: Vec<Value> = app
        .call_with(&agent, "work/queue", &[("queue", "mine")])
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
        .register(&person, "13700001234", "张秀英", "mima-2026-ok")
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let mine: Vec<Value> = app
        .call_with(&person, "cases/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["number"], number);
    // A claimed account cannot be registered twice: no register code is ever sent for it
    // (its owner is told someone tried), so any code is wrong.
    let intruder = common::new_client();
    let err = error_of(
        app.call_with(
            &intruder,
            "register",
            &[
                ("phone", "13700001234"),
                ("code", "123456"),
                ("display_name", "冒名"),
                ("password", "another-pass-9"),
                ("password_confirm", "another-pass-9"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "code").as_deref(),
        Some("验证码错误或已失效，请重新获取")
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

/// Applies with `form` changes as the demo applicant; returns the case number.
async fn apply_with(app: &TestApp, item: &str, change: impl FnOnce(&mut Value)) -> String {
    let applicant = app.client_as("13800000001").await;
    let id = item_id(app, item).await;
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
    let mut form = citizen_form("assist");
    change(&mut form);
    let res = app
        .call_json(
            &applicant,
            "cases/submit",
            &json!({"item_id": id, "token": ctx["token"], "form": form, "signature": png_data_url()}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn item_id(app: &TestApp, item: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT i.id FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed' WHERE i.name = $1",
    )
    .bind(item)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn account(app: &TestApp, login: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = $1")
        .bind(login)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn responsible(app: &TestApp, number: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT a.login_name FROM cases c LEFT JOIN accounts a ON a.id = c.agent_id WHERE c.number = $1",
    )
    .bind(number)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_a_filed_agent_is_responsible_and_a_manager_reassigns(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    // agent05 works at the county center but is not in its filed team.
    let unfiled = app.client_as("agent05").await;
    let err = refused(&app, &unfiled, &number, receive()).await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("登记备案"),
        "{err}"
    );
    assert_eq!(context(&app, &unfiled, &number).await["allowed"], json!([]));
    let view = |client: Client| {
        let (app, number) = (&app, number.clone());
        async move {
            app.call_with(&client, "cases/view", &[("number", &number)])
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let theirs = view(unfiled.clone()).await;
    assert_eq!(theirs["can_receive"], false);
    assert!(
        theirs["read_only"].as_str().unwrap().contains("登记备案"),
        "{theirs}"
    );
    // The receiver becomes responsible; another agent of the unit only watches.
    let agent = app.client_as("agent01").await;
    let mine = view(agent.clone()).await;
    assert_eq!(
        (mine["can_receive"].clone(), mine["read_only"].clone()),
        (json!(true), Value::Null)
    );
    step(&app, &agent, &number, receive()).await;
    assert_eq!(responsible(&app, &number).await.as_deref(), Some("agent01"));
    let other = app.client_as("agent04").await;
    let ctx = context(&app, &other, &number).await;
    assert_eq!(ctx["allowed"], json!([]));
    let review = all_received(&ctx);
    let err = refused(&app, &other, &number, review.clone()).await;
    assert_eq!(err["Rejected"], "此代办件由其他帮办代办员承办，您只能查看");
    // Agents do not assign.
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "assign", "agent_id": account(&app, "agent04").await, "reason": "请假"}),
    )
    .await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("不能指派"),
        "{err}"
    );

    // The manager sees every agent's load and reassigns, with a reason, to a filed agent only.
    let manager = app.client_as("manager01").await;
    let board: Value = app
        .call_with(&manager, "work/assignments", &[])
        .await
        .json()
        .await
        .unwrap();
    let loads: Vec<(String, i64)> = board["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["open_cases"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(loads.contains(&("李帮办".into(), 1)), "{loads:?}");
    assert!(
        !loads.iter().any(|(n, _)| n == "孙帮办"),
        "unfiled agents are not offered"
    );
    let assign =
        |to: i64, reason: &str| json!({"action": "assign", "agent_id": to, "reason": reason});
    // Not filed; no reason; another center's agent.
    for (login, reason, field) in [
        ("agent05", "分担工作", "agent_id"),
        ("agent04", "", "reason"),
        ("agent03", "换人", "agent_id"),
    ] {
        let err = refused(
            &app,
            &manager,
            &number,
            assign(account(&app, login).await, reason),
        )
        .await;
        assert!(field_message(&err, field).is_some(), "{login}: {err}");
    }
    step(
        &app,
        &manager,
        &number,
        assign(account(&app, "agent04").await, "李帮办休假，由刘市监承办"),
    )
    .await;
    assert_eq!(responsible(&app, &number).await.as_deref(), Some("agent04"));
    let err = refused(&app, &agent, &number, all_received(&ctx)).await;
    assert_eq!(err["Rejected"], "此代办件由其他帮办代办员承办，您只能查看");
    step(&app, &other, &number, all_received(&ctx)).await;
    // The manager acts too; the reason is in the record.
    let note: String = sqlx::query_scalar(
        "SELECT e.note FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1 AND e.event->>'kind' = 'assign'",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(note, "李帮办休假，由刘市监承办");

    // A supervisor reads everything and changes nothing, files included.
    let supervisor = app.client_as("supervisor01").await;
    let view: Value = app
        .call_with(&supervisor, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["can_act"], false);
    assert_eq!(view["can_upload"], false);
    let res = common::upload(
        &app,
        &supervisor,
        "supplement",
        "督查.pdf",
        common::pdf(),
        Some(&number),
    )
    .await;
    assert_eq!(res.status(), 403);
    // The applicant uploads while the case is open, and nobody once it is closed.
    let applicant = app.client_as("13800000001").await;
    let res = common::upload(
        &app,
        &applicant,
        "supplement",
        "补充.pdf",
        common::pdf(),
        Some(&number),
    )
    .await;
    assert!(res.status().is_success());
    step(
        &app,
        &manager,
        &number,
        json!({"action": "terminate", "reason": "申请人放弃办理"}),
    )
    .await;
    for client in [&applicant, &other] {
        let res = common::upload(
            &app,
            client,
            "supplement",
            "晚了.pdf",
            common::pdf(),
            Some(&number),
        )
        .await;
        assert_eq!(res.status(), 409);
        let body: Value = res.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("不能再上传"),
            "{body}"
        );
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn proxy_hands_over_first_even_for_an_immediate_item_and_a_window_may_refuse(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "proxy").await;
    let agent = app.client_as("agent01").await;
    step(&app, &agent, &number, receive()).await;
    // Home visits and mail-in are events with date, place and materials.
    step(&app, &agent, &number, json!({"action": "home_visit", "date": "2026-12-01", "place": "内乡县湍东镇八里营村3组", "materials": "身份证复印件", "note": ""})).await;
    let err = refused(&app, &agent, &number, json!({"action": "mail_in", "date": "2026-12-02", "carrier": "EMS", "tracking_number": "x", "materials": "税务UKey"})).await;
    assert!(field_message(&err, "tracking_number").is_some());
    step(&app, &agent, &number, json!({"action": "mail_in", "date": "2026-12-02", "carrier": "中国邮政EMS", "tracking_number": "EA987654321CN", "materials": "税务UKey申领表"})).await;
    let ctx = context(&app, &agent, &number).await;
    step(&app, &agent, &number, all_received(&ctx)).await;
    let window_id = window(&app).await;
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "go_to_window", "window_id": window_id}),
    )
    .await;
    assert_eq!(err["Rejected"], "代办须先办理材料交接并签署委托协议");
    step(
        &app,
        &agent,
        &number,
        json!({"action": "handover", "signature": png_data_url()}),
    )
    .await;
    step(
        &app,
        &agent,
        &number,
        json!({"action": "go_to_window", "window_id": window_id}),
    )
    .await;
    // Not accepted: the reason is recorded and the case goes back to review.
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "window_reject", "reason": ""}),
    )
    .await;
    assert!(field_message(&err, "reason").is_some());
    step(
        &app,
        &agent,
        &number,
        json!({"action": "window_reject", "reason": "身份证复印件不清晰"}),
    )
    .await;
    assert_eq!(state(&app, &number).await, "received");
    let view: Value = app
        .call_with(&agent, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    let timeline = view["timeline"].to_string();
    assert!(
        timeline.contains("在内乡县湍东镇八里营村3组收取：身份证复印件"),
        "{timeline}"
    );
    assert!(timeline.contains("EA987654321CN"), "{timeline}");
    assert!(timeline.contains("身份证复印件不清晰"), "{timeline}");
    let reviews = view["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "agent_review")
        .count();
    assert_eq!(reviews, 2, "the review clock runs again");
    let details: Value = sqlx::query_scalar(
        "SELECT e.details FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1 AND e.event->>'kind' = 'go_to_window'",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(details["on_behalf"], true, "{details}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_promised_item_with_assist_goes_to_the_window_with_the_applicant(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "最低生活保障申请", "assist").await;
    let agent = app.client_as("agent01").await;
    step(&app, &agent, &number, receive()).await;
    let ctx = context(&app, &agent, &number).await;
    step(&app, &agent, &number, all_received(&ctx)).await;
    let allowed = context(&app, &agent, &number).await["allowed"].clone();
    assert!(
        !allowed.as_array().unwrap().contains(&json!("handover")),
        "{allowed}"
    );
    let window_id = window(&app).await;
    let submit = |attended: bool| json!({"action": "submit_to_window", "window_id": window_id, "receipt_number": "SJ-01", "applicant_attended": attended});
    let err = refused(&app, &agent, &number, submit(false)).await;
    assert!(field_message(&err, "applicant_attended").is_some(), "{err}");
    step(&app, &agent, &number, submit(true)).await;
    assert_eq!(state(&app, &number).await, "submitted_to_window");
    let entrustments: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1 AND e.event->>'kind' = 'handover'",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(entrustments, 0, "assist: no entrustment");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_pre_guidance_request_closes_with_its_outcome_and_becomes_an_application(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply_with(&app, "最低生活保障申请", |f| {
        f["services"] = json!(["pre_guidance"]);
        f["pre_guidance_item"] = json!("低保政策咨询");
    })
    .await;
    let agent = app.client_as("agent01").await;
    step(&app, &agent, &number, receive()).await;
    let ctx = context(&app, &agent, &number).await;
    assert!(
        ctx["allowed"]
            .as_array()
            .unwrap()
            .contains(&json!("close_guidance")),
        "{ctx}"
    );
    let err = refused(&app, &agent, &number, all_received(&ctx)).await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("辅导结果"),
        "{err}"
    );
    let err = refused(
        &app,
        &agent,
        &number,
        json!({"action": "close_guidance", "advice": "", "to_prepare": ""}),
    )
    .await;
    assert!(field_message(&err, "advice").is_some());
    step(&app, &agent, &number, json!({"action": "close_guidance", "advice": "家庭人均收入低于当地低保标准，可以申请", "to_prepare": "户口簿、家庭收入证明", "special_steps": "需入户调查和公示"})).await;
    assert_eq!(state(&app, &number).await, "guided");
    let applicant = app.client_as("13800000001").await;
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["can_apply_again"], true);
    assert!(view["timeline"]
        .to_string()
        .contains("户口簿、家庭收入证明"));
    // Applying from it fills the form with what was settled, pre-guidance left out.
    let id = item_id(&app, "最低生活保障申请").await.to_string();
    let ctx: Value = app
        .call_with(
            &applicant,
            "cases/apply_context",
            &[("item_id", &id), ("from", &number)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ctx["form"]["unit_name"], "张秀英");
    assert_eq!(ctx["form"]["services"], json!([]));
    assert_eq!(ctx["form"]["terms_accepted"], false);
    // A pre-guidance item not in the item's list entry is refused.
    let mut form = citizen_form("assist");
    form["pre_guidance_item"] = json!("随便写的辅导");
    let err = error_of(
        app.call_json(
            &applicant,
            "cases/submit",
            &json!({"item_id": id.parse::<i64>().unwrap(), "token": ctx["token"], "signature": png_data_url(), "form": form}),
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "pre_guidance_item").is_some(), "{err}");
}

/// An application for 发票申领 that `agent` registers by `channel` without the applicant's
/// signature.
async fn unsigned_registration(app: &TestApp, agent: &Client, channel: &str) -> reqwest::Response {
    let id = item_id(app, "发票申领").await;
    let ctx: Value = app
        .call_with(
            agent,
            "cases/apply_context",
            &[("item_id", &id.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let body = json!({"item_id": id, "token": ctx["token"], "form": citizen_form("assist"), "signature": "", "channel": channel});
    app.call_json(agent, "cases/submit", &body).await
}

/// A phone booking `agent` registered: the caller signs later. Answers its number.
async fn phone_booking(app: &TestApp, agent: &Client) -> String {
    let res = unsigned_registration(app, agent, "phone").await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_phone_booking_is_signed_later_and_nothing_is_handed_in_before(pool: PgPool) {
    let app = spawn(pool).await;
    let agent = app.client_as("agent01").await;
    // Walk-ins sign at once; a caller is not there to sign.
    let err = error_of(unsigned_registration(&app, &agent, "walk_in").await).await;
    assert!(field_message(&err, "signature").is_some());
    let number = phone_booking(&app, &agent).await;
    assert_eq!(state(&app, &number).await, "received");
    assert_eq!(responsible(&app, &number).await.as_deref(), Some("agent01"));
    let sms: String = sqlx::query_scalar(
        "SELECT n.body FROM notifications n JOIN cases c ON c.id = n.case_id WHERE c.number = $1 AND n.channel = 'sms'",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(sms.contains("签名确认"), "{sms}");
    assert!(
        sms.ends_with(&format!("{}/cases/{number}/sign", common::PUBLIC_ORIGIN)),
        "{sms}"
    );
    let ctx = context(&app, &agent, &number).await;
    assert_eq!(ctx["signed"], false);
    step(&app, &agent, &number, all_received(&ctx)).await;
    let go = json!({"action": "go_to_window", "window_id": window(&app).await, "applicant_attended": true});
    let err = refused(&app, &agent, &number, go.clone()).await;
    assert!(
        err["Rejected"]
            .as_str()
            .unwrap()
            .contains("尚未在申请表上签名"),
        "{err}"
    );

    // The applicant signs on the phone; a blank signature is refused; a second one too.
    let applicant = app.client_as("13800000001").await;
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (view["signed"].clone(), view["can_sign"].clone()),
        (json!(false), json!(true))
    );
    let err = error_of(
        app.call_with(
            &applicant,
            "cases/sign",
            &[
                ("number", &number),
                ("signature", &common::signature_data_url(false)),
            ],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "signature").is_some());
    let stranger = {
        let c = common::new_client();
        app.register(&c, "13700009999", "路人", "mima-2026-ok")
            .await;
        c
    };
    let err = error_of(
        app.call_with(
            &stranger,
            "cases/sign",
            &[("number", &number), ("signature", &png_data_url())],
        )
        .await,
    )
    .await;
    assert_eq!(err, json!("NotFound"));
    let res = app
        .call_with(
            &applicant,
            "cases/sign",
            &[("number", &number), ("signature", &png_data_url())],
        )
        .await;
    assert!(res.status().is_success());
    let err = error_of(
        app.call_with(
            &applicant,
            "cases/sign",
            &[("number", &number), ("signature", &png_data_url())],
        )
        .await,
    )
    .await;
    assert_eq!(err["Rejected"], "申请表已签名");
    step(&app, &agent, &number, go).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_who_cannot_sign_on_a_screen_signs_the_printed_form_the_agent_uploads(pool: PgPool) {
    let app = spawn(pool).await;
    let agent = app.client_as("agent01").await;
    let number = phone_booking(&app, &agent).await;
    let sign = |paper: Value| json!({"action": "sign", "signature": "", "paper_form": paper});
    let err = refused(&app, &agent, &number, sign(Value::Null)).await;
    assert!(field_message(&err, "signature").is_some(), "{err}");

    let uploaded = |res: reqwest::Response| async move {
        assert!(res.status().is_success(), "{}", res.status());
        res.json::<Value>().await.unwrap()["id"].clone()
    };
    // An agent uploads the signed form onto a case: not as a loose file, and no applicant
    // uploads one, not even onto their own case.
    let loose = common::upload(&app, &agent, "signed_form", "签字.pdf", common::pdf(), None).await;
    assert_eq!(loose.status(), 403);
    let own = common::apply(&app, "发票申领", "assist").await;
    let applicant = app.client_as("13800000001").await;
    let res = common::upload(
        &app,
        &applicant,
        "signed_form",
        "签字.pdf",
        common::pdf(),
        Some(&own),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(common::error_of(res).await["error"]
        .as_str()
        .unwrap()
        .contains("帮办代办员"));
    // Only a signed form uploaded onto this very case stands for the signature, not a file
    // of another kind.
    let other_kind = uploaded(common::upload_for(&app, &agent, &number, "发票领用簿").await).await;
    let err = refused(&app, &agent, &number, sign(other_kind)).await;
    assert!(field_message(&err, "paper_form").is_some(), "{err}");
    assert_eq!(context(&app, &agent, &number).await["signed"], false);

    let paper = uploaded(
        common::upload(
            &app,
            &agent,
            "signed_form",
            "签字的申请表.pdf",
            common::pdf(),
            Some(&number),
        )
        .await,
    )
    .await;
    step(&app, &agent, &number, sign(paper.clone())).await;
    assert_eq!(context(&app, &agent, &number).await["signed"], true);
    let (file, note): (Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT c.signature_file, e.note FROM cases c JOIN case_events e ON e.case_id = c.id
         WHERE c.number = $1 ORDER BY e.id DESC LIMIT 1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(file, paper.as_i64());
    assert!(note.unwrap().contains("纸质申请表"));
}
