//! The audit log (issue 13, item 8): changes and views of personal data are recorded with who,
//! when, what and from where; the server's role cannot change or delete records; a changed or
//! missing record is found and named.

use crate::common;

use app::audit::ssr::{verify, Verdict};
use common::{apply, spawn};
use sqlx::PgPool;

async fn actions(pool: &PgPool) -> Vec<(String, String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT a.action, a.subject, a.ip, COALESCE(acc.login_name, '')
         FROM audit_log a LEFT JOIN accounts acc ON acc.id = a.actor_id ORDER BY a.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn changes_files_and_views_of_personal_data_are_recorded(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.client_as("admin01").await;
    let res = app
        .call_with(
            &admin,
            "org/add_unit",
            &[
                ("what", "window"),
                ("center_id", "1"),
                ("name", "综合受理二号窗口"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let agent_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = 'agent02'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.call_with(
        &admin,
        "admin/staff_status",
        &[("id", &agent_id.to_string()), ("action", "unlock")],
    )
    .await;

    let number = apply(&app, "发票申领", "assist").await;
    // The applicant sees her own details in full (recorded); a supervisor sees them masked (not).
    let applicant = app.client_as("13800000001").await;
    app.call_with(&applicant, "cases/view", &[("number", &number)])
        .await;
    let supervisor = app.client_as("supervisor01").await;
    app.call_with(&supervisor, "cases/view", &[("number", &number)])
        .await;

    let case = format!("case:{number}");
    let rows = actions(&app.pool).await;
    let has = |action: &str, subject: &str, who: &str| {
        rows.iter().any(|r| {
            r.0 == action
                && r.1.starts_with(subject)
                && r.3 == who
                && r.2.as_deref() == Some("127.0.0.1")
        })
    };
    assert!(has("org.add_unit", "window:", "admin01"), "{rows:?}");
    assert!(
        has("staff.unlock", &format!("account:{agent_id}"), "admin01"),
        "{rows:?}"
    );
    assert!(has("file.attach", &case, "13800000001"), "{rows:?}");
    assert!(has("case.view_personal", &case, "13800000001"), "{rows:?}");
    assert!(
        !rows.iter().any(|r| r.3 == "supervisor01"),
        "masked views are not personal data"
    );

    // A refused change leaves no record.
    let before = rows.len();
    app.call_with(
        &admin,
        "org/rename",
        &[("what", "center"), ("id", "999999"), ("name", "某中心")],
    )
    .await;
    assert_eq!(actions(&app.pool).await.len(), before);
    assert!(matches!(
        verify(&app.pool).await.unwrap(),
        Verdict::Intact { .. }
    ));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_server_cannot_change_or_delete_a_record(pool: PgPool) {
    let app = spawn(pool).await;
    apply(&app, "发票申领", "assist").await;
    let served = server::db::serving_pool(&app.pool).await.unwrap();
    for sql in [
        "UPDATE audit_log SET detail = '{}'",
        "DELETE FROM audit_log",
        "UPDATE case_events SET note = 'x'",
        "DELETE FROM case_events",
        "DELETE FROM login_events",
        "UPDATE file_accesses SET ip = NULL",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(&served).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
    // …and appends as usual.
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM case_events")
        .fetch_one(&served)
        .await
        .unwrap();
    assert!(rows > 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_changed_or_missing_record_is_found_and_named(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    let applicant = app.client_as("13800000001").await;
    for _ in 0..3 {
        app.call_with(&applicant, "cases/view", &[("number", &number)])
            .await;
    }
    let Verdict::Intact {
        audit_rows,
        last_hash,
        ..
    } = verify(&app.pool).await.unwrap()
    else {
        panic!("intact at first");
    };
    assert_eq!(audit_rows, 4);
    assert_eq!(last_hash.len(), 64);

    // Someone with the owner's rights edits the second record…
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET ip = '10.0.0.9' WHERE id = $1")
        .bind(ids[1])
        .execute(&app.pool)
        .await
        .unwrap();
    let verdict = verify(&app.pool).await.unwrap();
    assert_eq!(
        verdict,
        Verdict::Broken {
            table: "audit_log",
            id: ids[1],
            case: None,
            changed: true
        }
    );
    assert!(verdict
        .to_string()
        .contains(&format!("audit_log 第 {} 条", ids[1])));
    sqlx::query("UPDATE audit_log SET ip = '127.0.0.1' WHERE id = $1")
        .bind(ids[1])
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(matches!(
        verify(&app.pool).await.unwrap(),
        Verdict::Intact { .. }
    ));

    // …or deletes it: the next one no longer links.
    sqlx::query("DELETE FROM audit_log WHERE id = $1")
        .bind(ids[1])
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        verify(&app.pool).await.unwrap(),
        Verdict::Broken {
            table: "audit_log",
            id: ids[2],
            case: None,
            changed: false
        }
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_changed_case_event_names_its_case(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    let id: i64 = sqlx::query_scalar(
        "SELECT e.id FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1 LIMIT 1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // Backdating an event, as someone hiding a missed deadline would.
    sqlx::query("UPDATE case_events SET at = at - interval '3 days' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let verdict = verify(&app.pool).await.unwrap();
    assert_eq!(
        verdict,
        Verdict::Broken {
            table: "case_events",
            id,
            case: Some(number.clone()),
            changed: true
        }
    );
    assert!(verdict.to_string().contains(&number));
}
