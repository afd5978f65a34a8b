//! Faults the server meets on its own machine (the whole-system fault test with kill -9 and a
//! PostgreSQL restart is `scripts/faults.sh`): connections to the database cut from under it,
//! and a full disk under the files folder.

use crate::common;

use common::{spawn, upload};
use sqlx::PgPool;
use std::time::Duration;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_server_comes_back_by_itself_after_its_database_connections_are_cut(pool: PgPool) {
    let app = spawn(pool).await;
    let agent = app.client_as("agent01").await;
    assert_eq!(app.get_as(&agent, "/workbench").await.status(), 200);
    // As a database restart does: every connection of this database is closed.
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // Requests meanwhile get a clear answer (never a 500); then everything works again with
    // no restart.
    let mut back = false;
    for _ in 0..50 {
        let res = app.get_as(&agent, "/workbench").await;
        let status = res.status().as_u16();
        assert!(matches!(status, 200 | 503), "{status}");
        let ready = app.get("/readyz").await.status() == 200;
        if status == 200 && ready {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back, "the server did not come back by itself");
    // The listener came back too: a calendar change is heard again.
    let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    sqlx::query("INSERT INTO calendar_days (date, working, name) VALUES ($1, false, '测试')")
        .bind(day)
        .execute(&app.pool)
        .await
        .unwrap();
    let mut heard = false;
    for _ in 0..100 {
        if !app::calendar::ssr::load(&app.pool)
            .await
            .unwrap()
            .is_working_day(day)
        {
            heard = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(heard);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_full_disk_refuses_an_upload_clearly_and_keeps_no_partial_file(pool: PgPool) {
    let app = spawn(pool).await;
    let dir = app.files_dir.clone();
    std::fs::create_dir_all(&dir).unwrap();
    // A 256 kB filesystem under the files folder (needs root, as the CI machine has).
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "cannot mount a tmpfs here (not root?): the full disk is checked by scripts/faults.sh"
        );
        return;
    }
    let filler = dir.join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 1024 * 1024]); // fails part-way: the disk is full
    let applicant = app.client_as("13800000001").await;
    let files = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM stored_files")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let before = files().await;
    let mut pdf = common::pdf();
    pdf.resize(200 * 1024, b' ');
    let res = upload(&app, &applicant, "material", "营业执照.pdf", pdf, None).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let _ = std::process::Command::new("umount").arg(&dir).status();
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("存储空间已满"), "{body}");
    assert_eq!(left, ["filler"], "no partial file is left");
    assert_eq!(
        files().await,
        before,
        "nothing is recorded for a file that was not saved"
    );
}
