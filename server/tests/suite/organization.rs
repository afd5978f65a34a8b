//! Administrators keep the organization; nothing is hard-deleted.

use crate::common;

use common::{error_of, field_message, spawn};
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_admin_adds_renames_moves_and_retires(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.client_as("admin01").await;
    let township: i64 =
        sqlx::query_scalar("SELECT id FROM centers WHERE name = '夏馆镇便民服务中心'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let county = "1";
    let form = |name: &'static str, kind: &'static str, parent: String| {
        vec![
            ("name", name.to_string()),
            ("kind", kind.to_string()),
            ("parent_id", parent),
            ("address", "内乡县某地".to_string()),
            ("phone", "0377-60000000".to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let f: Vec<(&str, String)> = f;
        f
    };

    // A village station must sit under a township center.
    let bad = post(form(
        "马山口镇某村便民服务站",
        "village_station",
        county.to_string(),
    ));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let err = error_of(app.call_with(&admin, "org/create_center", &bad).await).await;
    assert_eq!(
        field_message(&err, "kind").as_deref(),
        Some("村（社区）便民服务站的上级应为乡镇中心")
    );

    let good = post(form(
        "夏馆镇西庄村便民服务站",
        "village_station",
        township.to_string(),
    ));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.call_with(&admin, "org/create_center", &good).await;
    assert!(res.status().is_success(), "{}", res.status());
    let station: i64 = res.json().await.unwrap();
    let err = error_of(app.call_with(&admin, "org/create_center", &good).await).await;
    assert_eq!(field_message(&err, "name").as_deref(), Some("已有同名机构"));

    let id = station.to_string();
    assert!(app
        .call_with(
            &admin,
            "org/rename",
            &[
                ("what", "center"),
                ("id", &id),
                ("name", "夏馆镇西庄村党群服务中心")
            ]
        )
        .await
        .status()
        .is_success());
    let other: i64 = sqlx::query_scalar("SELECT id FROM centers WHERE name = '湍东镇便民服务中心'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(app
        .call_with(
            &admin,
            "org/move_center",
            &[("id", &id), ("parent_id", &other.to_string())]
        )
        .await
        .status()
        .is_success());
    let err = error_of(
        app.call_with(
            &admin,
            "org/move_center",
            &[("id", &id), ("parent_id", county)],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "parent_id").is_some());

    let dept: i64 = app
        .call_with(
            &admin,
            "org/add_unit",
            &[
                ("what", "department"),
                ("center_id", &id),
                ("name", "村务室"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(dept > 0);
    // A township with stations under it cannot be retired; the station itself can.
    let err = error_of(
        app.call_with(
            &admin,
            "org/retire",
            &[("what", "center"), ("id", &other.to_string())],
        )
        .await,
    )
    .await;
    assert!(err["Rejected"].as_str().unwrap().contains("下级中心"));
    assert!(app
        .call_with(&admin, "org/retire", &[("what", "center"), ("id", &id)])
        .await
        .status()
        .is_success());
    let (name, parent, retired): (String, i64, bool) =
        sqlx::query_as("SELECT name, parent_id, retired_at IS NOT NULL FROM centers WHERE id = $1")
            .bind(station)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), parent, retired),
        ("夏馆镇西庄村党群服务中心", other, true)
    );

    let tree: Vec<Value> = app
        .call_with(&admin, "org/tree", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(tree
        .iter()
        .any(|c| c["id"] == station && c["retired"] == true && c["departments"][0][1] == "村务室"));
    // A retired center is gone from the public side.
    assert_eq!(app.get(&format!("/centers/{station}")).await.status(), 404);
    // Unknown kinds of unit are refused, never used as a table name.
    let err = error_of(
        app.call_with(&admin, "org/retire", &[("what", "accounts"), ("id", "1")])
            .await,
    )
    .await;
    assert_eq!(err["Rejected"], "未知的机构类型");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_admins_touch_the_organization(pool: PgPool) {
    let app = spawn(pool).await;
    for login in ["13800000001", "agent01", "manager01", "supervisor01"] {
        let client = app.client_as(login).await;
        for (endpoint, form) in [
            ("org/tree", vec![]),
            ("org/retire", vec![("what", "center"), ("id", "2")]),
            (
                "org/rename",
                vec![("what", "department"), ("id", "1"), ("name", "改名")],
            ),
            (
                "org/add_unit",
                vec![("what", "window"), ("center_id", "1"), ("name", "新窗口")],
            ),
        ] {
            let err = error_of(app.call_with(&client, endpoint, &form).await).await;
            assert_eq!(err, serde_json::json!("Forbidden"), "{login} {endpoint}");
        }
    }
}
