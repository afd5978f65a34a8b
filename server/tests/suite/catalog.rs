//! The public catalog against a real PostgreSQL: search, item and center pages, and that only
//! filed lists are public.

use crate::common;

use common::{error_of, field_message, spawn};
use serde_json::Value;
use sqlx::PgPool;

fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn chinese_searches_find_the_right_items(pool: PgPool) {
    let app = spawn(pool).await;
    let licence = names(&app.search("营业执照", "", "").await);
    assert_eq!(licence[0], "企业设立登记（营业执照）");
    // Items that only mention it in their pre-guidance entry come after those named or
    // keyworded for it.
    let food = licence.iter().position(|n| n == "食品经营许可").unwrap();
    let sole = licence
        .iter()
        .position(|n| n == "个体工商户设立登记")
        .unwrap();
    assert!(sole < food, "{licence:?}");
    assert_eq!(
        names(&app.search("食品经营许可", "", "").await)[0],
        "食品经营许可"
    );
    assert!(names(&app.search("低保", "", "").await).contains(&"最低生活保障申请".to_string()));
    assert_eq!(
        names(&app.search("施工许可", "", "").await),
        ["建筑工程施工许可证核发"]
    );
    assert_eq!(
        names(&app.search("环评 报告书", "", "").await),
        ["建设项目环境影响评价报告书审批"]
    );
    assert!(app.search("不存在的事项名称", "", "").await.is_empty());
    // LIKE wildcards are searched for literally.
    assert!(app.search("%", "", "").await.is_empty());

    let all = app.search("", "", "").await;
    assert!(all.len() >= 40, "{}", all.len());
    let livelihood = app.search("", "livelihood", "").await;
    assert!(!livelihood.is_empty() && livelihood.iter().all(|i| i["category"] == "livelihood"));
    let immediate = app.search("", "", "immediate").await;
    assert!(!immediate.is_empty() && immediate.iter().all(|i| i["item_type"] == "immediate"));
    for category in [
        "project_construction",
        "enterprise_registration",
        "utilities",
        "livelihood",
    ] {
        assert!(app.search("", category, "").await.len() >= 5, "{category}");
    }

    let err = error_of(
        app.call(
            "catalog/search",
            &[
                ("q", ""),
                ("category", "drop table"),
                ("center", ""),
                ("item_type", ""),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "category").as_deref(),
        Some("事项类别无效")
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_item_page_discloses_everything(pool: PgPool) {
    let app = spawn(pool).await;
    let id = app.search("低保", "", "").await[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let item: Value = app
        .call("catalog/item", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["summary"]["department"], "民政局");
    assert_eq!(item["summary"]["promised_days"], 30);
    assert!(item["materials"].as_array().unwrap().len() >= 3);
    assert_eq!(item["materials"][0]["name"], "最低生活保障申请书");
    assert_eq!(item["special_steps"][1]["kind"], "public_notice");
    assert_eq!(item["special_steps"][1]["counts_toward_limit"], false);
    assert_eq!(item["list_version"], 1);

    let page = app.get(&format!("/items/{id}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for text in [
        "最低生活保障申请",
        "需要准备的材料",
        "无偿（帮办代办服务免费）",
        "公示公告（不计入承诺时限）",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert_eq!(app.get("/items/999999").await.status(), 404);
    assert_eq!(app.get("/items/abc").await.status(), 404);
    // An address that is neither a page nor a public file: the app's own 404 page.
    let missing = app.get("/no-such-page.css").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("404 页面不存在"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_current_filed_lists_are_public(pool: PgPool) {
    let app = spawn(pool).await;
    // A department's next list, still a draft, with a new item.
    let draft_item: i64 = sqlx::query_scalar(
        "WITH l AS (
            INSERT INTO item_lists (department_id, version, status)
            SELECT id, 2, 'draft' FROM departments WHERE name = '民政局' RETURNING id)
         INSERT INTO service_items (list_id, seq, name, item_type, category, promised_days)
         SELECT id, 99, '草稿中的新事项', 'promised', 'livelihood', 5 FROM l RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(app.search("草稿中的新事项", "", "").await.is_empty());
    let err = error_of(
        app.call("catalog/item", &[("id", &draft_item.to_string())])
            .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("NotFound"));

    // A retired department's items disappear from the public catalog.
    sqlx::query("UPDATE departments SET retired_at = now() WHERE name = '燃气公司'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(app.search("燃气报装", "", "").await.is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_center_page_lists_its_items(pool: PgPool) {
    let app = spawn(pool).await;
    let county: i64 = sqlx::query_scalar("SELECT id FROM centers WHERE kind = 'county_center'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let center: Value = app
        .call("catalog/center", &[("id", &county.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(center["name"], "内乡县行政审批服务中心");
    assert!(center["items"].as_array().unwrap().len() >= 30);
    let html = app
        .get(&format!("/centers/{county}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("0377-65321234"));
    assert_eq!(app.get("/centers/424242").await.status(), 404);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_units_list_prints_in_the_policys_layout(pool: PgPool) {
    let app = spawn(pool).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM departments WHERE name = '市场监督管理局'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app.get(&format!("/lists/{id}/print")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for text in [
        "内乡县市场监督管理局“事前辅导、帮办代办”政务服务事项清单",
        "业务办理项名称",
        "事前辅导事项名称（选填）",
        "企业设立登记（营业执照）",
        "名称自主申报",
        "即办类",
        "承诺类",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let center: Value = app
        .call("catalog/center", &[("id", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert!(center["departments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d[1] == "市场监督管理局"));
    assert_eq!(app.get("/lists/999999/print").await.status(), 404);
}
