//! Agent teams and their filing: only filed agents are public, managers edit only their own
//! unit's team, a returned team stays private, and every step is recorded.

use crate::common;

use common::{error_of, field_message, spawn, TestApp};
use serde_json::Value;
use sqlx::PgPool;

/// A new staff account like `like`'s (same password, center and department).
async fn staff_like(app: &TestApp, like: &str, login: &str, name: &str, role: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO accounts (login_name, display_name, role, phone, password_hash, center_id, department_id)
         SELECT $2, $3, $4, '13900000099', password_hash, center_id, department_id
         FROM accounts WHERE login_name = $1 RETURNING id",
    )
    .bind(like)
    .bind(login)
    .bind(name)
    .bind(role)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn account_id(app: &TestApp, login: &str) -> String {
    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = $1")
        .bind(login)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id.to_string()
}

/// Names of the agents on the public page of the item named `item`.
async fn on_duty(app: &TestApp, item: &str) -> Vec<String> {
    let id: i64 = sqlx::query_scalar(
        "SELECT i.id FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         WHERE i.name = $1",
    )
    .bind(item)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let detail: Value = app
        .call_with(
            &common::new_client(),
            "catalog/item",
            &[("id", &id.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    detail["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

async fn lineage_of(app: &TestApp, item: &str) -> String {
    let l: i64 = sqlx::query_scalar(
        "SELECT i.lineage FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         WHERE i.name = $1",
    )
    .bind(item)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    l.to_string()
}

async fn member_of(app: &TestApp, team: i64, login: &str) -> String {
    let id: i64 = sqlx::query_scalar(
        "SELECT m.id FROM team_members m JOIN accounts a ON a.id = m.account_id
         WHERE m.team_id = $1 AND a.login_name = $2",
    )
    .bind(team)
    .bind(login)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    id.to_string()
}

fn ok(res: &reqwest::Response) -> bool {
    res.status().is_success()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_agents_of_a_filed_team_are_public(pool: PgPool) {
    let app = spawn(pool).await;
    // Demo: the county, township and village agents are filed; agent05 (孙帮办) is not yet.
    let agents = on_duty(&app, "最低生活保障申请").await;
    assert!(agents.contains(&"李帮办".to_string()), "{agents:?}");
    assert!(agents.contains(&"王代办".to_string()), "{agents:?}");
    assert!(agents.contains(&"赵站长".to_string()), "{agents:?}");
    assert!(!agents.contains(&"孙帮办".to_string()), "{agents:?}");

    let manager = app.client_as("manager01").await;
    let team: i64 = app
        .call_with(&manager, "teams/start_draft", &[])
        .await
        .json()
        .await
        .unwrap();
    let t = team.to_string();
    let mine: Value = app
        .call_with(&manager, "teams/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["team"]["version"], 2);
    assert_eq!(
        mine["team"]["members"][0]["name"], "李帮办",
        "filed team copied"
    );
    let candidates: Vec<&str> = mine["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[1].as_str().unwrap())
        .collect();
    assert_eq!(candidates, ["孙帮办（13900000005）"]);

    // Only the unit's own agents can join: not another department's, not a village station's.
    for other in ["agent04", "agent03", "manager01"] {
        let err = error_of(
            app.call_with(
                &manager,
                "teams/add_member",
                &[
                    ("team_id", &t),
                    ("account_id", &account_id(&app, other).await),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(
            field_message(&err, "account_id").as_deref(),
            Some("只能添加本单位在职的帮办代办员"),
            "{other}"
        );
    }
    let new_agent = account_id(&app, "agent05").await;
    assert!(ok(&app
        .call_with(
            &manager,
            "teams/add_member",
            &[("team_id", &t), ("account_id", &new_agent)]
        )
        .await));
    let err = error_of(
        app.call_with(
            &manager,
            "teams/add_member",
            &[("team_id", &t), ("account_id", &new_agent)],
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "account_id").as_deref(),
        Some("该帮办代办员已在队伍中")
    );

    // An untrained agent without items cannot be submitted.
    let err = error_of(
        app.call_with(&manager, "teams/submit", &[("team_id", &t)])
            .await,
    )
    .await;
    assert_eq!(err["Rejected"], "不能提交：孙帮办未选负责事项、无培训记录");

    let member = member_of(&app, team, "agent05").await;
    let err = error_of(
        app.call_with(
            &manager,
            "teams/add_training",
            &[
                ("member_id", &member),
                ("held_on", "2099-01-01"),
                ("topic", "培"),
                ("hours", "0"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "held_on").as_deref(),
        Some("培训日期不能晚于今天")
    );
    assert_eq!(
        field_message(&err, "topic").as_deref(),
        Some("培训内容至少2个字")
    );
    assert!(field_message(&err, "hours").is_some());
    assert!(ok(&app
        .call_with(
            &manager,
            "teams/add_training",
            &[
                ("member_id", &member),
                ("held_on", "2026-09-01"),
                ("topic", "社会救助业务培训"),
                ("hours", "1.5")
            ],
        )
        .await));
    let err = error_of(
        app.call_with(
            &manager,
            "teams/add_item",
            &[("member_id", &member), ("lineage", "999999")],
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "lineage").as_deref(),
        Some("只能选择已公示的事项")
    );
    let lineage = lineage_of(&app, "最低生活保障申请").await;
    assert!(ok(&app
        .call_with(
            &manager,
            "teams/add_item",
            &[("member_id", &member), ("lineage", &lineage)]
        )
        .await));

    // Agents cannot touch the team; another unit's manager cannot either.
    let agent = app.client_as("agent01").await;
    let err = error_of(
        app.call_with(&agent, "teams/submit", &[("team_id", &t)])
            .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("Forbidden"));
    staff_like(&app, "agent02", "manager02", "镇主任", "manager").await;
    let township_manager = app.client_as("manager02").await;
    let err = error_of(
        app.call_with(
            &township_manager,
            "teams/add_item",
            &[("member_id", &member), ("lineage", &lineage)],
        )
        .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("Forbidden"));

    // The draft is private.
    assert!(!on_duty(&app, "最低生活保障申请")
        .await
        .contains(&"孙帮办".to_string()));

    assert!(ok(&app
        .call_with(&manager, "teams/submit", &[("team_id", &t)])
        .await));
    let err = error_of(
        app.call_with(
            &manager,
            "filing/file",
            &[("subject", "agent_team"), ("id", &t)],
        )
        .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("Forbidden"), "a manager cannot file");
    let err = error_of(
        app.call_with(&manager, "teams/remove_member", &[("member_id", &member)])
            .await,
    )
    .await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("不能修改"),
        "{err}"
    );

    let supervisor = app.client_as("supervisor01").await;
    let pending: Vec<Value> = app
        .call_with(&supervisor, "teams/pending", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["members"].as_array().unwrap().len(), 2);
    let err = error_of(
        app.call_with(
            &supervisor,
            "filing/return",
            &[("subject", "agent_team"), ("id", &t), ("reason", "")],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "reason").is_some());
    assert!(ok(&app
        .call_with(
            &supervisor,
            "filing/return",
            &[
                ("subject", "agent_team"),
                ("id", &t),
                ("reason", "请补充孙帮办的岗前培训记录")
            ]
        )
        .await));
    // Returned: still private, editable again, resubmitted, then filed.
    assert!(!on_duty(&app, "最低生活保障申请")
        .await
        .contains(&"孙帮办".to_string()));
    assert!(ok(&app
        .call_with(
            &manager,
            "teams/add_training",
            &[
                ("member_id", &member),
                ("held_on", "2026-10-09"),
                ("topic", "帮办代办岗前培训"),
                ("hours", "8")
            ],
        )
        .await));
    assert!(ok(&app
        .call_with(&manager, "teams/submit", &[("team_id", &t)])
        .await));
    assert!(ok(&app
        .call_with(
            &supervisor,
            "filing/file",
            &[("subject", "agent_team"), ("id", &t)]
        )
        .await));

    let agents = on_duty(&app, "最低生活保障申请").await;
    assert!(agents.contains(&"孙帮办".to_string()), "{agents:?}");
    assert!(
        agents.contains(&"李帮办".to_string()),
        "copied member still public"
    );
    // Filed for the item: the new agent may now be responsible for its cases.
    let lineage: i64 = sqlx::query_scalar(
        "SELECT i.lineage FROM service_items i JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         WHERE i.name = '最低生活保障申请'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let filed = app::case_log::ssr::covers_item(&app.pool, new_agent.parse().unwrap(), lineage)
        .await
        .unwrap();
    assert!(filed);
    let manager_id = account_id(&app, "manager01").await.parse().unwrap();
    let unfiled = app::case_log::ssr::covers_item(&app.pool, manager_id, lineage)
        .await
        .unwrap();
    assert!(!unfiled, "a manager is no agent");

    // Exactly one filed version per unit; every step recorded with who did it.
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT status FROM agent_teams WHERE center_id = (SELECT center_id FROM accounts WHERE login_name = 'manager01')
           AND department_id IS NULL ORDER BY version",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(statuses, ["superseded", "filed"]);
    let steps: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT e.action, a.login_name, e.reason FROM filing_events e JOIN accounts a ON a.id = e.actor_id
         WHERE e.subject = 'agent_team' AND e.subject_id = $1 ORDER BY e.id",
    )
    .bind(team)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let steps: Vec<(&str, &str)> = steps
        .iter()
        .map(|(a, b, _)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("draft_started", "manager01"),
            ("submitted", "manager01"),
            ("returned", "supervisor01"),
            ("submitted", "manager01"),
            ("filed", "supervisor01"),
        ]
    );
}
