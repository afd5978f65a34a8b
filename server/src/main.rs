//! `server [--fresh] [--demo] [--migrate-only] [--verify-audit]`: migrates the database (after dropping it, with
//! `--fresh`), optionally loads the demo data, and serves Bangban on LEPTOS_SITE_ADDR.

use app::state::AppState;
use leptos::prelude::get_configuration;
use server::config::{Config, Mode};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn")),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bangban: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    const FLAGS: [&str; 4] = ["--fresh", "--demo", "--migrate-only", "--verify-audit"];
    if let Some(unknown) = args.iter().find(|a| !FLAGS.contains(&a.as_str())) {
        return Err(format!("未知参数 {unknown}；可用参数：{}", FLAGS.join(" ")));
    }
    let flag = |f: &str| args.iter().any(|a| a == f);
    let (fresh, demo, migrate_only) = (flag("--fresh"), flag("--demo"), flag("--migrate-only"));

    let config = Config::from_env().map_err(|e| e.to_string())?;
    if (demo || fresh) && config.mode == Mode::Production {
        return Err("生产模式（BANGBAN_ENV=production）下不能加载演示数据或清空数据库".into());
    }
    if fresh {
        use sqlx::migrate::MigrateDatabase;
        if sqlx::Postgres::database_exists(&config.database_url)
            .await
            .unwrap_or(false)
        {
            sqlx::Postgres::force_drop_database(&config.database_url)
                .await
                .map_err(|e| format!("清空数据库失败：{e}"))?;
        }
    }

    let pool = server::db::connect(&config.database_url).await?;
    if flag("--verify-audit") {
        let verdict = app::audit::ssr::verify(&pool)
            .await
            .map_err(|e| format!("核对失败：{e}"))?;
        println!("{verdict}");
        return match verdict {
            app::audit::ssr::Verdict::Intact { .. } => Ok(()),
            _ => Err("审计记录核对未通过".into()),
        };
    }
    let setup = server::db::SetupLock::take(&pool)
        .await
        .map_err(|e| format!("数据库准备失败：{e}"))?;
    server::db::migrate(&pool)
        .await
        .map_err(|e| format!("数据库迁移失败：{e}"))?;
    server::sessions::SessionRows::new(pool.clone())
        .migrate()
        .await
        .map_err(|e| format!("会话表迁移失败：{e}"))?;
    server::db::grant_sessions(&pool)
        .await
        .map_err(|e| format!("会话表授权失败：{e}"))?;
    // Cases from before `case_clocks` existed get their clocks once.
    let calendar = app::calendar::ssr::load(&pool)
        .await
        .map_err(|e| format!("读取工作日历失败：{e}"))?;
    let filled = app::case_log::ssr::backfill_timing(&pool, &calendar)
        .await
        .map_err(|e| format!("补算代办件时限失败：{e}"))?;
    if filled > 0 {
        tracing::info!(cases = filled, "clocks filled for older cases");
    }
    if demo {
        server::seed::load(&pool)
            .await
            .map_err(|e| format!("加载演示数据失败：{e}"))?;
    }
    setup
        .release()
        .await
        .map_err(|e| format!("数据库准备失败：{e}"))?;
    if migrate_only {
        return Ok(());
    }
    // From here on the server works as its restricted role.
    let pool = server::db::serving_pool(&pool)
        .await
        .map_err(|e| format!("无法以 {} 角色连接数据库：{e}", server::db::APP_ROLE))?;
    let session_store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone());
    tokio::spawn(
        tower_sessions::session_store::ExpiredDeletion::continuously_delete_expired(
            session_store,
            tokio::time::Duration::from_secs(3600),
        ),
    );

    let conf = get_configuration(None).map_err(|e| format!("Leptos 配置错误：{e}"))?;
    let addr = conf.leptos_options.site_addr;
    let sender = match config.sms_gateway.clone() {
        Some(gateway) => server::sms::Sender::Tencent(server::sms::TencentSender::new(gateway)?),
        None => server::sms::Sender::File(app::notifications::ssr::FileSender {
            path: config.sms_file.clone(),
        }),
    };
    tokio::spawn(server::jobs::send_notifications(pool.clone(), sender));
    tokio::spawn(server::jobs::staff_alerts(pool.clone()));
    tokio::spawn(server::jobs::retention(
        pool.clone(),
        config.files_dir.clone(),
    ));
    let (live, _listener) = app::live::ssr::Hub::start(pool.clone());
    let state = AppState {
        live,
        leptos_options: conf.leptos_options,
        pool,
        files_dir: config.files_dir.clone(),
        public_origin: config.public_origin.clone(),
        trust_proxy: config.trust_proxy,
    };
    let app = server::http::router(state, &config);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("无法监听 {addr}：{e}"))?;
    tracing::info!("listening on http://{addr}");
    server::http::serve(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| format!("服务异常退出：{e}"))
}
