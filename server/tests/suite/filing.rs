//! Editing and filing item lists: who may do what, and what the public sees meanwhile.

use crate::common;

use common::{error_of, field_message, spawn, TestApp};
use serde_json::Value;
use sqlx::PgPool;

async fn department(app: &TestApp, name: &str) -> String {
    app.department_id(name).await.to_string()
}

async fn public_name(app: &TestApp, item_name: &str) -> Vec<String> {
    let res = app.search(item_name, "", "").await;
    res.iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

/// The item of the manager's draft for `department` named `name`.
async fn draft_item(app: &TestApp, list: i64, name: &str) -> String {
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM service_items WHERE list_id = $1 AND name = $2")
            .bind(list)
            .bind(name)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    id.to_string()
}

fn edit<'a>(item: &'a str, name: &'a str, days: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("item_id", item),
        ("name", name),
        ("item_type", "promised"),
        ("promised_days", days),
        ("fees", ""),
        ("remarks", "演示修改"),
    ]
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_list_is_public_only_once_a_supervisor_files_it(pool: PgPool) {
    let app = spawn(pool).await;
    let manager = app.client_as("manager01").await;
    let civil = department(&app, "民政局").await;

    let res = app
        .call_with(
            &manager,
            "catalog/start_draft",
            &[("department_id", &civil)],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let list: i64 = res.json().await.unwrap();
    // Starting again gives the same open draft.
    let again: i64 = app
        .call_with(
            &manager,
            "catalog/start_draft",
            &[("department_id", &civil)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, list);
    let copied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM item_materials m JOIN service_items i ON i.id = m.item_id WHERE i.list_id = $1",
    )
    .bind(list)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(copied >= 10, "materials copied into the draft: {copied}");

    let item = draft_item(&app, list, "临时救助").await;
    let err = error_of(
        app.call_with(&manager, "catalog/save_item", &edit(&item, "临", "abc"))
            .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "name").as_deref(),
        Some("事项名称至少2个字")
    );
    assert!(field_message(&err, "promised_days").is_some());
    let err = error_of(
        app.call_with(
            &manager,
            "catalog/save_item",
            &edit(&item, "临时救助申请", "0"),
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "promised_days").as_deref(),
        Some("承诺件须填写承诺时限")
    );
    let err = error_of(
        app.call_with(
            &manager,
            "catalog/save_item",
            &edit(&item, "最低生活保障申请", "7"),
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "name").as_deref(),
        Some("本清单中已有同名事项")
    );

    let res = app
        .call_with(
            &manager,
            "catalog/save_item",
            &edit(&item, "临时救助申请", "7"),
        )
        .await;
    assert!(res.status().is_success());
    // The draft is private: the public still sees the filed list.
    assert_eq!(public_name(&app, "临时救助").await, ["临时救助"]);

    assert!(app
        .call_with(
            &manager,
            "catalog/submit_list",
            &[("list_id", &list.to_string())]
        )
        .await
        .status()
        .is_success());
    // Submitted lists cannot be edited, and a manager cannot file.
    let err = error_of(
        app.call_with(&manager, "catalog/save_item", &edit(&item, "再改一次", "7"))
            .await,
    )
    .await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("不能修改"),
        "{err}"
    );
    let err = error_of(
        app.call_with(
            &manager,
            "filing/file",
            &[("subject", "item_list"), ("id", &list.to_string())],
        )
        .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("Forbidden"));
    assert_eq!(public_name(&app, "临时救助").await, ["临时救助"]);

    let supervisor = app.client_as("supervisor01").await;
    let pending: Vec<Value> = app
        .call_with(&supervisor, "catalog/pending_lists", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["department"], "民政局");
    assert!(app
        .call_with(
            &supervisor,
            "filing/file",
            &[("subject", "item_list"), ("id", &list.to_string())]
        )
        .await
        .status()
        .is_success());
    assert_eq!(public_name(&app, "临时救助").await, ["临时救助申请"]);

    // Version 1 stays as it was, for the cases opened under it.
    let (status, name): (String, String) = sqlx::query_as(
        "SELECT l.status, i.name FROM item_lists l JOIN service_items i ON i.list_id = l.id
         WHERE l.department_id = $1::bigint AND l.version = 1 AND i.seq = 4",
    )
    .bind(&civil)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), name.as_str()), ("superseded", "临时救助"));
    // Filing twice is refused.
    let err = error_of(
        app.call_with(
            &supervisor,
            "filing/file",
            &[("subject", "item_list"), ("id", &list.to_string())],
        )
        .await,
    )
    .await;
    assert!(err["Rejected"].as_str().unwrap().contains("不在待备案状态"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_returned_list_stays_private_and_can_be_fixed(pool: PgPool) {
    let app = spawn(pool).await;
    let manager = app.client_as("manager01").await;
    let tax = department(&app, "税务局").await;
    let list: i64 = app
        .call_with(&manager, "catalog/start_draft", &[("department_id", &tax)])
        .await
        .json()
        .await
        .unwrap();
    let item = draft_item(&app, list, "发票申领").await;
    let mut form = edit(&item, "发票申领（改）", "0");
    form[2] = ("item_type", "immediate");
    assert!(app
        .call_with(&manager, "catalog/save_item", &form)
        .await
        .status()
        .is_success());
    app.call_with(
        &manager,
        "catalog/submit_list",
        &[("list_id", &list.to_string())],
    )
    .await;

    let supervisor = app.client_as("supervisor01").await;
    let err = error_of(
        app.call_with(
            &supervisor,
            "filing/return",
            &[
                ("subject", "item_list"),
                ("id", &list.to_string()),
                ("reason", ""),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(field_message(&err, "reason").as_deref(), Some("请填写原因"));
    let res = app
        .call_with(
            &supervisor,
            "filing/return",
            &[
                ("subject", "item_list"),
                ("id", &list.to_string()),
                ("reason", "名称请与省目录一致"),
            ],
        )
        .await;
    assert!(res.status().is_success());
    assert!(public_name(&app, "发票申领（改）").await.is_empty());

    let lists: Vec<Value> = app
        .call_with(&manager, "catalog/my_lists", &[])
        .await
        .json()
        .await
        .unwrap();
    let returned = lists.iter().find(|l| l["department"] == "税务局").unwrap();
    assert_eq!(returned["status"], "returned");
    assert_eq!(returned["returned_reason"], "名称请与省目录一致");
    // Returned lists are editable again.
    assert!(app
        .call_with(
            &manager,
            "catalog/save_item",
            &edit(&item, "发票申领", "0")
                .into_iter()
                .map(|(k, v)| if k == "item_type" {
                    (k, "immediate")
                } else {
                    (k, v)
                })
                .collect::<Vec<_>>()
        )
        .await
        .status()
        .is_success());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn who_may_not_touch_the_catalog(pool: PgPool) {
    let app = spawn(pool).await;
    let civil = department(&app, "民政局").await;
    // Agents, applicants, supervisors and admins cannot start or edit drafts.
    for login in ["agent01", "13800000001", "supervisor01", "admin01"] {
        let client = app.client_as(login).await;
        let err = error_of(
            app.call_with(&client, "catalog/start_draft", &[("department_id", &civil)])
                .await,
        )
        .await;
        assert_eq!(err, serde_json::json!("Forbidden"), "{login}");
        let err = error_of(app.call_with(&client, "catalog/my_lists", &[]).await).await;
        assert_eq!(err, serde_json::json!("Forbidden"), "{login}");
    }
    // Only supervisors decide.
    for login in ["agent01", "manager01", "admin01"] {
        let client = app.client_as(login).await;
        let err = error_of(app.call_with(&client, "catalog/pending_lists", &[]).await).await;
        assert_eq!(err, serde_json::json!("Forbidden"), "{login}");
    }
    // A manager of another center cannot start a draft for a county department.
    sqlx::query(
        "INSERT INTO accounts (role, login_name, display_name, phone, password_hash, center_id)
         SELECT 'manager', 'manager02', '镇管理员', '13900000012', password_hash,
                (SELECT id FROM centers WHERE name = '城关镇便民服务中心')
         FROM accounts WHERE login_name = 'manager01'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let other = app.client_as("manager02").await;
    let err = error_of(
        app.call_with(&other, "catalog/start_draft", &[("department_id", &civil)])
            .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("Forbidden"));
    let lists: Vec<Value> = app
        .call_with(&other, "catalog/my_lists", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(lists.is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_manager_adds_an_item_with_materials_and_steps_and_removes_another(pool: PgPool) {
    let app = spawn(pool).await;
    let manager = app.client_as("manager01").await;
    let civil = department(&app, "民政局").await;
    let list: i64 = app
        .call_with(
            &manager,
            "catalog/start_draft",
            &[("department_id", &civil)],
        )
        .await
        .json()
        .await
        .unwrap();
    let l = list.to_string();

    let err = error_of(
        app.call_with(
            &manager,
            "catalog/add_item",
            &[
                ("list_id", &l),
                ("name", "养"),
                ("category", "x"),
                ("item_type", "promised"),
                ("promised_days", "0"),
            ],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "name").is_some());
    assert_eq!(
        field_message(&err, "category").as_deref(),
        Some("请选择事项类别")
    );
    assert_eq!(
        field_message(&err, "promised_days").as_deref(),
        Some("承诺件须填写承诺时限")
    );
    let form = [
        ("list_id", l.as_str()),
        ("name", "高龄津贴申领"),
        ("category", "livelihood"),
        ("item_type", "promised"),
        ("promised_days", "10"),
    ];
    let item: i64 = app
        .call_with(&manager, "catalog/add_item", &form)
        .await
        .json()
        .await
        .unwrap();
    let i = item.to_string();
    let err = error_of(app.call_with(&manager, "catalog/add_item", &form).await).await;
    assert_eq!(
        field_message(&err, "name").as_deref(),
        Some("本清单中已有同名事项")
    );

    let err = error_of(
        app.call_with(
            &manager,
            "catalog/add_material",
            &[
                ("item_id", &i),
                ("name", ""),
                ("form", "scan"),
                ("copies", "99"),
                ("notes", ""),
                ("source", ""),
            ],
        )
        .await,
    )
    .await;
    for field in ["name", "form", "copies"] {
        assert!(field_message(&err, field).is_some(), "{field}: {err}");
    }
    assert!(app
        .call_with(
            &manager,
            "catalog/add_material",
            &[
                ("item_id", &i),
                ("name", "户口簿"),
                ("form", "original_and_copy"),
                ("copies", "1"),
                ("mandatory", "on"),
                ("notes", ""),
                ("source", "本人持有"),
            ],
        )
        .await
        .status()
        .is_success());
    assert!(app
        .call_with(
            &manager,
            "catalog/add_step",
            &[
                ("item_id", &i),
                ("kind", "public_notice"),
                ("notes", "村（居）公示7天")
            ],
        )
        .await
        .status()
        .is_success());
    let err = error_of(
        app.call_with(
            &manager,
            "catalog/save_disclosure",
            &[
                ("item_id", &i),
                ("category", "livelihood"),
                ("pre_guidance", ""),
                ("keywords", "高龄补贴"),
                ("scope", "年满80周岁的本县户籍老人"),
                ("method", "帮办、代办"),
                ("booking_phone", "电话号码"),
                ("mailing_address", ""),
                ("mailing_recipient", ""),
            ],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "booking_phone").is_some(), "{err}");
    assert!(app
        .call_with(
            &manager,
            "catalog/save_disclosure",
            &[
                ("item_id", &i),
                ("category", "livelihood"),
                ("pre_guidance", ""),
                ("keywords", "高龄补贴"),
                ("scope", "年满80周岁的本县户籍老人"),
                ("method", "帮办、代办"),
                ("booking_phone", "0377-65321234"),
                ("mailing_address", ""),
                ("mailing_recipient", ""),
            ],
        )
        .await
        .status()
        .is_success());
    let removed = draft_item(&app, list, "临时救助").await;
    assert!(app
        .call_with(&manager, "catalog/remove_item", &[("item_id", &removed)])
        .await
        .status()
        .is_success());
    // Agents cannot use the editor.
    let agent = app.client_as("agent01").await;
    let err = error_of(
        app.call_with(&agent, "catalog/remove_item", &[("item_id", &i)])
            .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("Forbidden"));

    // Nothing is public before filing; after it the new item is found by its alias with its
    // material and step, and the removed item is gone.
    assert!(app.search("高龄补贴", "", "").await.is_empty());
    assert!(app
        .call_with(&manager, "catalog/submit_list", &[("list_id", &l)])
        .await
        .status()
        .is_success());
    let err = error_of(
        app.call_with(&manager, "catalog/remove_step", &[("step_id", "1")])
            .await,
    )
    .await;
    assert!(
        err.get("Rejected").is_some() || err == serde_json::json!("NotFound"),
        "{err}"
    );
    let supervisor = app.client_as("supervisor01").await;
    assert!(app
        .call_with(
            &supervisor,
            "filing/file",
            &[("subject", "item_list"), ("id", &l)]
        )
        .await
        .status()
        .is_success());
    let found = app.search("高龄补贴", "", "").await;
    assert_eq!(found.len(), 1);
    let detail: Value = app
        .call_with(
            &common::new_client(),
            "catalog/item",
            &[("id", &found[0]["id"].to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["materials"][0]["name"], "户口簿");
    assert_eq!(detail["special_steps"][0]["kind"], "public_notice");
    assert_eq!(detail["booking_phone"], "0377-65321234");
    assert!(public_name(&app, "临时救助").await.is_empty());
}
