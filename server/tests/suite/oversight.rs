//! Oversight against a real PostgreSQL: a blockage raised on a case, a coordination meeting and
//! its resolutions tracked to closure; an inspection with a reproducible sample, findings,
//! rectifications, a 通报 its unit's staff see; and who may NOT.

use crate::common;

use common::{apply, error_of, field_message, spawn, TestApp};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn receive(app: &TestApp, agent: &Client, number: &str) {
    let sig = common::signature_data_url(true);
    let res = app
        .act(
            agent,
            number,
            json!({"action": "receive", "signature": sig}),
        )
        .await;
    assert!(res.status().is_success());
}

async fn department(app: &TestApp, name: &str) -> String {
    app.department_id(name).await.to_string()
}

fn tomorrow() -> String {
    (shared::clocks::local_date(chrono::Utc::now()) + chrono::Duration::days(1)).to_string()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_blockage_goes_to_a_meeting_whose_resolutions_are_tracked_to_closure(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "建设工程规划许可证", "proxy").await;
    let agent = app.client_as("agent01").await;
    let planning = department(&app, "自然资源局").await;
    let housing = department(&app, "住房和城乡建设局").await;
    let raise = |what: &'static str| {
        vec![
            ("number", number.clone()),
            ("what", what.to_string()),
            ("departments[0]", planning.clone()),
            ("departments[1]", housing.clone()),
        ]
    };
    let form = |v: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { v.clone() };
    async fn post(
        app: &TestApp,
        c: &Client,
        ep: &str,
        f: &[(&'static str, String)],
    ) -> reqwest::Response {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.call_with(c, ep, &pairs).await
    }
    // Only who acts on the case raises one: not before the agent holds it, not the supervisor.
    let res = post(
        &app,
        &agent,
        "oversight/raise",
        &form(&raise("规划退线与施工许可要求不一致")),
    )
    .await;
    assert_eq!(
        res.status(),
        403,
        "an unreceived case is not the agent's to act on"
    );
    receive(&app, &agent, &number).await;
    let supervisor = app.client_as("supervisor01").await;
    let res = post(
        &app,
        &supervisor,
        "oversight/raise",
        &form(&raise("规划退线与施工许可要求不一致")),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post(
        &app,
        &agent,
        "oversight/raise",
        &[("number", number.clone()), ("what", "卡".into())],
    )
    .await;
    let err = error_of(res).await;
    assert!(field_message(&err, "what").is_some() && field_message(&err, "departments").is_some());
    let res = post(
        &app,
        &agent,
        "oversight/raise",
        &form(&raise("规划退线与施工许可要求不一致")),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE n.template = 'blockage' AND a.login_name IN ('manager01', 'supervisor01')
           AND n.channel = 'in_app'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, 2);

    // The manager convenes a meeting on it and records a resolution with an owner and a day.
    let manager = app.client_as("manager01").await;
    let coord: Value = app
        .call_with(&manager, "oversight/coordination", &[])
        .await
        .json()
        .await
        .unwrap();
    let blockage = coord["blockages"][0]["id"].as_i64().unwrap().to_string();
    let meeting = [
        ("held_on", tomorrow()),
        ("place", "县政务服务中心三楼会议室".to_string()),
        (
            "attendees",
            "自然资源局王股长、住建局李股长、帮办代办员李帮办".to_string(),
        ),
        ("departments[0]", planning.clone()),
        ("departments[1]", housing.clone()),
        ("blockages[0]", blockage.clone()),
    ];
    // Agents do not convene.
    assert_eq!(
        post(&app, &agent, "oversight/convene", &meeting)
            .await
            .status(),
        403
    );
    let res = post(&app, &manager, "oversight/convene", &meeting).await;
    assert!(res.status().is_success());
    let meeting_id: i64 = res.json().await.unwrap();
    let resolution = [
        ("meeting_id", meeting_id.to_string()),
        ("blockage_id", blockage.clone()),
        (
            "text",
            "以规划条件为准，住建局据此出具施工许可意见".to_string(),
        ),
        ("owner", "住房和城乡建设局".to_string()),
        ("due", "2020-01-01".to_string()),
    ];
    let err = error_of(post(&app, &manager, "oversight/resolve", &resolution).await).await;
    assert_eq!(field_message(&err, "due").unwrap(), "完成期限不能早于今天");
    let mut resolution = resolution.to_vec();
    resolution[4].1 = tomorrow();
    assert!(post(&app, &manager, "oversight/resolve", &resolution)
        .await
        .status()
        .is_success());

    // The case shows the blockage and its resolution to those who see the case.
    let view: Value = app
        .call_with(&agent, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    let b = &view["blockages"]["list"][0];
    assert_eq!(b["resolved"], false);
    assert!(b["actions"][0]["text"]
        .as_str()
        .unwrap()
        .contains("以规划条件为准"));
    // The applicant does not see the agencies' coordination.
    let applicant = app.client_as("13800000001").await;
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["blockages"]["list"].as_array().unwrap().len(), 0);

    // A township manager neither sees nor closes it; the county's manager does, once.
    let elsewhere = app.township_manager().await;
    let theirs: Value = app
        .call_with(&elsewhere, "oversight/coordination", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["blockages"].as_array().unwrap().len(), 0);
    let action = b["actions"][0]["id"].as_i64().unwrap().to_string();
    let close = [
        ("id", action.clone()),
        ("note", "住建局已出具意见".to_string()),
    ];
    assert_eq!(
        post(&app, &elsewhere, "oversight/close_action", &close)
            .await
            .status(),
        404
    );
    assert!(post(&app, &manager, "oversight/close_action", &close)
        .await
        .status()
        .is_success());
    assert_eq!(
        post(&app, &manager, "oversight/close_action", &close)
            .await
            .status(),
        409
    );
    let view: Value = app
        .call_with(&agent, "cases/view", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["blockages"]["list"][0]["resolved"], true);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_inspection_draws_a_reproducible_sample_and_its_bulletin_reaches_the_unit(pool: PgPool) {
    let app = spawn(pool).await;
    let mut numbers = Vec::new();
    for item in ["发票申领", "用水报装", "燃气报装", "跨区域涉税事项报告"] {
        numbers.push(apply(&app, item, "assist").await);
    }
    let supervisor = app.client_as("supervisor01").await;
    let county: i64 = sqlx::query_scalar("SELECT id FROM centers WHERE kind = 'county_center'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let today = shared::clocks::local_date(chrono::Utc::now()).to_string();
    let unit = format!("c{county}");
    let plan = |n: &'static str| {
        [
            ("title", "2026年第四季度帮办代办专项检查"),
            ("unit", unit.as_str()),
            ("from", today.as_str()),
            ("to", today.as_str()),
            ("sample_size", n),
        ]
    };
    let manager = app.client_as("manager01").await;
    assert_eq!(
        app.call_with(&manager, "oversight/plan", &plan("2"))
            .await
            .status(),
        403
    );
    let err = error_of(
        app.call_with(&supervisor, "oversight/plan", &plan("0"))
            .await,
    )
    .await;
    assert!(field_message(&err, "sample_size").is_some());
    let res = app
        .call_with(&supervisor, "oversight/plan", &plan("2"))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let id: i64 = res.json().await.unwrap();

    // The sample: two of the unit's cases, and the stored seed draws the same two again.
    let (seed, sample): (i64, Vec<i64>) =
        sqlx::query_as("SELECT seed, sample FROM inspections WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let population: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE center_id = $1 AND number = ANY($2)")
            .bind(county)
            .bind(&numbers)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(sample.len(), 2);
    assert_eq!(
        shared::oversight::draw_sample(&population, 2, seed as u64),
        sample
    );

    let ids = id.to_string();
    let view: Value = app
        .call_with(&supervisor, "oversight/inspection", &[("id", &ids)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["findings"].as_array().unwrap().len(), 2);
    // Checklist and findings: a failing line needs its problem.
    let err = error_of(
        app.call_with(
            &supervisor,
            "oversight/check",
            &[("id", &ids), ("item", "notices_complete"), ("passed", "no")],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "note").is_some());
    assert!(app
        .call_with(
            &supervisor,
            "oversight/check",
            &[("id", &ids), ("item", "team_filed"), ("passed", "yes")]
        )
        .await
        .status()
        .is_success());
    let case = sample[0].to_string();
    assert!(app
        .call_with(
            &supervisor,
            "oversight/finding",
            &[
                ("id", &ids),
                ("case_id", &case),
                ("ok", "no"),
                ("finding", "一次性告知未列明获取途径")
            ]
        )
        .await
        .status()
        .is_success());
    let outside: i64 = sqlx::query_scalar("SELECT max(id) + 1000 FROM cases")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .call_with(
            &supervisor,
            "oversight/finding",
            &[
                ("id", &ids),
                ("case_id", &outside.to_string()),
                ("ok", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 409, "only drawn cases get findings");

    // A rectification for the unit; the inspection cannot close while it is open, and a
    // manager may never close the inspection itself.
    let due = tomorrow();
    assert!(app
        .call_with(
            &supervisor,
            "oversight/rectify",
            &[
                ("id", &ids),
                ("text", "补充一次性告知书中的获取途径"),
                ("owner", "县中心综合窗口"),
                ("due", &due)
            ]
        )
        .await
        .status()
        .is_success());
    let close = [
        ("id", ids.as_str()),
        ("summary", "总体规范，个别告知不完整"),
    ];
    assert_eq!(
        app.call_with(&manager, "oversight/close_inspection", &close)
            .await
            .status(),
        403
    );
    let err = error_of(
        app.call_with(&supervisor, "oversight/close_inspection", &close)
            .await,
    )
    .await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("整改未完成"),
        "{err}"
    );
    let seen: Value = app
        .call_with(&manager, "oversight/inspection", &[("id", &ids)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["supervisor"], false);
    let action = seen["actions"][0]["id"].as_i64().unwrap().to_string();
    assert!(app
        .call_with(
            &manager,
            "oversight/close_action",
            &[("id", &action), ("note", "已补充并培训窗口人员")]
        )
        .await
        .status()
        .is_success());

    // The 通报 reaches the unit's staff, and the public when published.
    let bulletin = [
        ("id", ids.as_str()),
        ("kind", "commendation"),
        ("title", "县政务服务中心帮办代办工作通报表扬"),
        (
            "body",
            "检查中该中心帮办代办工作规范、群众满意，予以通报表扬。",
        ),
        ("public", "on"),
    ];
    assert_eq!(
        app.call_with(&manager, "oversight/bulletin", &bulletin)
            .await
            .status(),
        403
    );
    assert!(app
        .call_with(&supervisor, "oversight/bulletin", &bulletin)
        .await
        .status()
        .is_success());
    // Every checklist line and every drawn case is recorded before the inspection closes.
    let err = error_of(
        app.call_with(&supervisor, "oversight/close_inspection", &close)
            .await,
    )
    .await;
    assert!(
        err["Rejected"]
            .as_str()
            .unwrap()
            .contains("4项检查清单、1件抽查代办件未记录"),
        "{err}"
    );
    for item in [
        "list_current",
        "notices_complete",
        "clocks_met",
        "files_complete",
    ] {
        let res = app
            .call_with(
                &supervisor,
                "oversight/check",
                &[("id", &ids), ("item", item), ("passed", "yes")],
            )
            .await;
        assert!(res.status().is_success(), "{item}");
    }
    let second = sample[1].to_string();
    assert!(app
        .call_with(
            &supervisor,
            "oversight/finding",
            &[("id", &ids), ("case_id", &second), ("ok", "yes")]
        )
        .await
        .status()
        .is_success());
    assert!(app
        .call_with(&supervisor, "oversight/close_inspection", &close)
        .await
        .status()
        .is_success());
    assert_eq!(
        app.call_with(
            &supervisor,
            "oversight/rectify",
            &[
                ("id", &ids),
                ("text", "再加一项整改"),
                ("owner", "县中心"),
                ("due", &due)
            ]
        )
        .await
        .status(),
        409,
        "a closed inspection takes nothing more"
    );
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE n.template = 'bulletin' AND a.login_name = 'agent01'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, 1);
    let public: Value = app
        .call_with(&common::new_client(), "oversight/bulletins", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public[0]["title"], "县政务服务中心帮办代办工作通报表扬");

    // History: the server's role may not change or remove any of it.
    app.assert_history_only(&[
        "UPDATE inspections SET seed = 1",
        "DELETE FROM inspection_findings",
        "UPDATE actions SET due = now()",
        "DELETE FROM bulletins",
    ])
    .await;
}
