//! Backups that restore: `scripts/backup.sh` of a database with cases, events and uploaded files,
//! `scripts/restore.sh` into an empty database and folder, and everything is there, byte for
//! byte; a damaged backup and a database that is not empty are refused.

use crate::common;

use common::{apply, pdf, spawn, upload};
use sha2::{Digest, Sha256};
use sqlx::{Connection, PgPool};
use std::path::Path;
use std::process::Command;

fn script(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts")
        .join(name)
}

fn url_of(database: &str) -> String {
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = admin.rsplit_once('/').expect("a database URL");
    format!("{server}/{database}")
}

fn run(script_name: &str, database: &str, files: &Path, arg: &Path) -> (bool, String) {
    let out = Command::new("bash")
        .arg(script(script_name))
        .arg(arg)
        .env("DATABASE_URL", url_of(database))
        .env("BANGBAN_FILES_DIR", files)
        .output()
        .expect("bash runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// What must survive: every case with its state, every event, every file's name and checksum.
async fn contents(pool: &PgPool) -> (Vec<(String, String)>, i64, Vec<(String, String)>) {
    let cases = sqlx::query_as("SELECT number, state FROM cases ORDER BY number")
        .fetch_all(pool)
        .await
        .unwrap();
    let events = sqlx::query_scalar("SELECT count(*) FROM case_events")
        .fetch_one(pool)
        .await
        .unwrap();
    let files = sqlx::query_as("SELECT stored_name, sha256 FROM stored_files ORDER BY stored_name")
        .fetch_all(pool)
        .await
        .unwrap();
    (cases, events, files)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_backup_restores_every_case_event_and_file(pool: PgPool) {
    let app = spawn(pool).await;
    apply(&app, "发票申领", "assist").await;
    let applicant = app.client_as("13800000001").await;
    let res = upload(&app, &applicant, "material", "营业执照.pdf", pdf(), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    apply(&app, "燃气报装", "proxy").await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let before = contents(&app.pool).await;
    assert_eq!(before.0.len(), 2);
    assert!(!before.2.is_empty(), "files to back up");

    let dest = tempfile_dir("backup");
    let (ok, out) = run("backup.sh", &database, &app.files_dir, &dest);
    assert!(ok, "{out}");
    let backup = std::path::PathBuf::from(out.trim().lines().last().unwrap());

    // Into an empty database and folder.
    // Database names stop at 63 bytes: the test's own is that long already.
    let restored = format!(
        "bangban_restore_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let mut admin = sqlx::PgConnection::connect(&url_of("postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE \"{restored}\""))
        .execute(&mut admin)
        .await
        .unwrap();
    let files = tempfile_dir("restored-files");
    let (ok, out) = run("restore.sh", &restored, &files, &backup);
    assert!(ok, "{out}");
    let restored_pool = PgPool::connect(&url_of(&restored)).await.unwrap();
    let after = contents(&restored_pool).await;
    assert_eq!(after, before);
    for (name, sha) in &after.2 {
        let bytes = std::fs::read(files.join(name)).expect("the file is restored");
        assert_eq!(&hex::encode(Sha256::digest(&bytes)), sha, "{name}");
    }
    // Not twice over the same data, and never from a damaged backup.
    let (ok, out) = run("restore.sh", &restored, &files, &backup);
    assert!(!ok && out.contains("restore into an empty one"), "{out}");
    std::fs::write(backup.join("files.tar"), pdf()).unwrap();
    let (ok, out) = run("restore.sh", &restored, &tempfile_dir("other"), &backup);
    assert!(!ok && out.contains("checksums do not match"), "{out}");

    restored_pool.close().await;
    sqlx::query(&format!("DROP DATABASE \"{restored}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(dest);
    let _ = std::fs::remove_dir_all(files);
}

fn tempfile_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "bangban-{what}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
