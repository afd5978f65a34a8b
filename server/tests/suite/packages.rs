//! Packages (一件事) against a real PostgreSQL: edited by the lead department's manager and
//! filed by the county center, public only once filed; one application opens a parent and one
//! case per item with each material asked for once; the lead agent sees the whole; results wait
//! for each other; and who may NOT.

use crate::common;

use common::{
    citizen_form, error_of, field_message, pdf, signature_data_url, spawn, upload, TestApp,
};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn package(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM packages WHERE name = $1 AND status = 'filed'")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Applies for package `id` as the demo applicant (`mode`) with one file for `material`; answers the
/// package application's number.
async fn apply_for_package(
    app: &TestApp,
    applicant: &Client,
    id: i64,
    material: &str,
    mode: &str,
) -> String {
    let ctx: Value = app
        .call_with(
            applicant,
            "cases/package_apply_context",
            &[("package", &id.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ctx["package"], true);
    let file: Value = upload(app, applicant, "material", "身份证.pdf", pdf(), None)
        .await
        .json()
        .await
        .unwrap();
    let mut form = citizen_form(mode);
    form["material_files"] =
        json!([{"id": file["id"], "name": "身份证.pdf", "material": material}]);
    let body = json!({"item_id": id, "token": ctx["token"], "form": form,
                      "signature": signature_data_url(true), "package": true});
    let res = app.call_json(applicant, "cases/submit", &body).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let number: String = res.json().await.unwrap();
    // A repeated submit (a double tap) makes nothing new.
    let again: String = app
        .call_json(applicant, "cases/submit", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, number);
    number
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_application_opens_a_case_per_item_with_each_material_asked_once(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let id = package(&app, "开办餐饮店").await;
    // The one checklist asks for each material once, however many items need it.
    let public: Value = app
        .call_with(
            &common::new_client(),
            "packages/public",
            &[("id", &id.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = public["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    let per_item: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM item_materials m JOIN service_items i ON i.id = m.item_id
         JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         JOIN package_items pi ON pi.item_lineage = i.lineage AND pi.package_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        (names.len() as i64) < per_item,
        "{} of {per_item}",
        names.len()
    );
    assert!(names.contains(&"营业执照"), "{names:?}");
    let number = apply_for_package(&app, &applicant, id, "营业执照", "proxy").await;
    // A parent and three cases, each at its own department with its own clocks.
    let subs: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT c.number, d.name, c.state,
                EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id)
         FROM cases c JOIN package_cases p ON p.id = c.package_case_id
         JOIN departments d ON d.id = c.department_id WHERE p.number = $1 ORDER BY c.id",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let departments: Vec<&str> = subs.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(departments, ["市场监督管理局", "市场监督管理局", "税务局"]);
    assert!(subs.iter().all(|s| s.2 == "submitted" && s.3), "{subs:?}");
    // The files are the lead department's case's; the applicant is told once.
    let (lead, files): (String, i64) = sqlx::query_as(
        "SELECT c.number, (SELECT count(*) FROM stored_files f WHERE f.case_id = c.id AND f.purpose = 'material')
         FROM package_cases p JOIN cases c ON c.id = p.lead_case_id WHERE p.number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((lead.as_str(), files), (subs[0].0.as_str(), 1));
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE a.login_name = '13800000001' AND n.channel = 'sms'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, 1);
    // The applicant's page shows every item's case; each case names its package.
    let page: Value = app
        .call_with(&applicant, "cases/page", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["Package"]["subs"].as_array().unwrap().len(),
        3,
        "{page}"
    );
    assert_eq!(page["Package"]["deliver_together"], true);
    let sub: Value = app
        .call_with(&applicant, "cases/page", &[("number", &subs[2].0)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sub["Case"]["package"][0], number.as_str());
    // The applicant may ask for each result as it is ready; nobody else may.
    let agent = app.client_as("agent01").await;
    let res = app
        .call_with(
            &agent,
            "cases/package_delivery",
            &[("number", &number), ("together", "no")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .call_with(
            &applicant,
            "cases/package_delivery",
            &[("number", &number), ("together", "no")],
        )
        .await;
    assert!(res.status().is_success());
    let together: bool =
        sqlx::query_scalar("SELECT deliver_together FROM package_cases WHERE number = $1")
            .bind(&number)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!together);
    // Someone else's package application is not found; staff register items, not packages.
    let other = app.client_as("13800000009").await;
    let res = app
        .call_with(&other, "cases/page", &[("number", &number)])
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .call_json(
            &agent,
            "cases/submit",
            &json!({"item_id": id, "token": "5f0c2b1e-7d4a-4c1e-9a51-0d8b3f6e2a10", "form": citizen_form("proxy"),
                    "signature": signature_data_url(true), "package": true, "channel": "walk_in"}),
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_lead_agent_sees_the_whole_and_results_go_out_together(pool: PgPool) {
    let app = spawn(pool).await;
    // A package led by the real-estate hall (a center of its own), with a tax item at the county
    // center; an agent filed at the hall for its item.
    sqlx::query(
        "INSERT INTO accounts (login_name, display_name, role, phone, password_hash, center_id)
         SELECT 'agent07', '钱登记', 'agent', '13900000007', password_hash,
                (SELECT id FROM centers WHERE name = '内乡县不动产登记分大厅')
         FROM accounts WHERE login_name = 'agent01'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "WITH t AS (INSERT INTO agent_teams (center_id, version, status, submitted_at, decided_at)
                    SELECT id, 1, 'filed', now(), now() FROM centers WHERE name = '内乡县不动产登记分大厅'
                    RETURNING id),
              m AS (INSERT INTO team_members (team_id, account_id)
                    SELECT t.id, a.id FROM t, accounts a WHERE a.login_name = 'agent07' RETURNING id)
         INSERT INTO team_member_items (member_id, item_lineage)
         SELECT m.id, i.lineage FROM m, service_items i WHERE i.name = '不动产转移登记'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let id: i64 = sqlx::query_scalar(
        "WITH p AS (INSERT INTO packages (version, name, lead_department_id, status)
                    SELECT 1, '二手房交易', id, 'filed' FROM departments WHERE name = '不动产登记中心'
                    RETURNING id)
         INSERT INTO package_items (package_id, seq, item_lineage)
         SELECT p.id, n.seq, i.lineage FROM p,
                unnest(ARRAY['不动产转移登记', '发票申领']) WITH ORDINALITY AS n(name, seq)
         JOIN service_items i ON i.name = n.name
         RETURNING package_id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let applicant = app.client_as("13800000001").await;
    let number = apply_for_package(&app, &applicant, id, "经办人身份证", "assist").await;
    let subs: Vec<String> = sqlx::query_scalar(
        "SELECT c.number FROM cases c JOIN package_cases p ON p.id = c.package_case_id
         WHERE p.number = $1 ORDER BY c.id",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let (estate, tax) = (&subs[0], &subs[1]);
    let agent07 = app.client_as("agent07").await;
    // Before taking up the lead case, the hall's agent does not see the tax case.
    let res = app
        .call_with(&agent07, "cases/view", &[("number", tax)])
        .await;
    assert_eq!(res.status(), 404);
    let sig = signature_data_url(true);
    let res = app
        .act(
            &agent07,
            estate,
            json!({"action": "receive", "signature": sig}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    // Now responsible for the lead case: the whole package, read-only for the other item.
    let page: Value = app
        .call_with(&agent07, "cases/page", &[("number", &number)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["Package"]["lead_agent"], "钱登记", "{page}");
    let view: Value = app
        .call_with(&agent07, "cases/view", &[("number", tax)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["can_act"], false);
    assert!(view["read_only"].is_string(), "{view}");
    // The tax agent opens the shared files, which are the lead case's.
    let agent01 = app.client_as("agent01").await;
    let res = app
        .act(
            &agent01,
            tax,
            json!({"action": "receive", "signature": sig}),
        )
        .await;
    assert!(res.status().is_success());
    let file: i64 = sqlx::query_scalar(
        "SELECT f.id FROM stored_files f JOIN cases c ON c.id = f.case_id
         WHERE c.number = $1 AND f.purpose = 'material'",
    )
    .bind(estate)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let res = agent01
        .get(format!("{}/files/{file}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // An agent of another center sees nothing of it.
    let agent02 = app.client_as("agent02").await;
    let res = app
        .call_with(&agent02, "cases/page", &[("number", &number)])
        .await;
    assert_eq!(res.status(), 404);
    let res = agent02
        .get(format!("{}/files/{file}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // The invoice is issued at once, but goes out only with the transfer's result.
    let ctx: Value = app
        .call_with(&agent01, "work/context", &[("number", tax)])
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
    let window: i64 = sqlx::query_scalar("SELECT id FROM windows ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for action in [
        json!({"action": "review", "checks": checks}),
        json!({"action": "go_to_window", "window_id": window, "applicant_attended": true}),
        json!({"action": "issue_result", "note": "当场办结"}),
    ] {
        let res = app.act(&agent01, tax, action).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
    let res = app
        .act(
            &agent01,
            tax,
            json!({"action": "start_delivery", "delivery": {"kind": "door"}}),
        )
        .await;
    let err = error_of(res).await;
    assert!(err.to_string().contains("一并送达"), "{err}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn packages_are_edited_by_the_lead_and_public_only_once_filed(pool: PgPool) {
    let app = spawn(pool).await;
    let manager = app.client_as("manager01").await;
    let market = app.department_id("市场监督管理局").await;
    let err = error_of(
        app.call_with(
            &manager,
            "packages/create",
            &[("name", "开"), ("lead", ""), ("description", "")],
        )
        .await,
    )
    .await;
    assert!(
        field_message(&err, "name").is_some() && field_message(&err, "lead").is_some(),
        "{err}"
    );
    let res = app
        .call_with(
            &manager,
            "packages/create",
            &[
                ("name", "个体户开业"),
                ("lead", &market.to_string()),
                ("description", ""),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let id: i64 = res.json().await.unwrap();
    let add = |item: i64| {
        let (manager, app) = (manager.clone(), &app);
        async move {
            app.call_with(
                &manager,
                "packages/add_item",
                &[("id", &id.to_string()), ("item", &item.to_string())],
            )
            .await
        }
    };
    let sole = app.item_id("个体工商户设立登记").await;
    assert!(add(sole).await.status().is_success());
    let err = error_of(add(sole).await).await;
    assert!(field_message(&err, "item").is_some(), "{err}");
    // One department is not a package.
    let submit_form = [("id", id.to_string())];
    let submit_form: Vec<(&str, &str)> =
        submit_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let submit = || app.call_with(&manager, "packages/submit", &submit_form);
    let err = error_of(submit().await).await;
    assert!(field_message(&err, "items").is_some(), "{err}");
    // Unfiled, it is not public.
    let res = app
        .call_with(
            &common::new_client(),
            "packages/public",
            &[("id", &id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = app.get(&format!("/one/{id}")).await;
    assert_eq!(res.status(), 404);
    let res = app
        .call_with(
            &app.client_as("13800000001").await,
            "cases/package_apply_context",
            &[("package", &id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert!(add(app.item_id("发票申领").await)
        .await
        .status()
        .is_success());
    assert!(submit().await.status().is_success());
    // Who may NOT: an agent edits nothing, a manager of another unit sees no draft, nobody
    // edits a submitted version, the submitter does not file.
    let agent = app.client_as("agent01").await;
    let res = app
        .call_with(
            &agent,
            "packages/add_item",
            &[("id", &id.to_string()), ("item", &sole.to_string())],
        )
        .await;
    assert_eq!(res.status(), 403);
    let other = app.township_manager().await;
    let res = app
        .call_with(&other, "packages/view", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(add(app.item_id("燃气报装").await).await.status(), 409);
    let supervisor = app.client_as("supervisor01").await;
    let res = app
        .call_with(
            &supervisor,
            "filing/file",
            &[("subject", "package"), ("id", &id.to_string())],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app.get(&format!("/one/{id}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("个体户开业") && html.contains("一次申请，全部办理"));
    // A revision is a new draft; the filed version stays public meanwhile.
    let res = app
        .call_with(&manager, "packages/revise", &[("id", &id.to_string())])
        .await;
    assert!(res.status().is_success());
    let new: i64 = res.json().await.unwrap();
    let items: i64 = sqlx::query_scalar("SELECT count(*) FROM package_items WHERE package_id = $1")
        .bind(new)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(items, 2);
    assert_eq!(app.get(&format!("/one/{id}")).await.status(), 200);
    let history: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM filing_events WHERE subject = 'package' AND subject_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(history, 3, "started, submitted, filed");
}
