//! Accounts, roles and sessions against a real PostgreSQL, through the real HTTP stack.

use crate::common;

use common::{error_of, field_message, new_client, spawn};
use server::seed::DEMO_PASSWORD;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn registration_checks_every_field_and_saves_nothing_when_wrong(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app
        .call(
            "register",
            &[
                ("phone", "12345"),
                ("code", ""),
                ("display_name", "王"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    let err = error_of(res).await;
    assert_eq!(
        field_message(&err, "phone").as_deref(),
        Some("手机号码应为11位数字")
    );
    assert_eq!(
        field_message(&err, "code").as_deref(),
        Some("请填写短信验证码")
    );
    assert_eq!(
        field_message(&err, "display_name").as_deref(),
        Some("姓名至少2个字")
    );
    assert_eq!(
        field_message(&err, "password").as_deref(),
        Some("密码至少8位")
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts WHERE role = 'applicant'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 2, "only the demo applicants exist");

    let res = app
        .call(
            "register",
            &[
                ("phone", "139 0000 1111"),
                ("code", "123456"),
                ("display_name", "王小明"),
                ("password", "abc12345"),
                ("password_confirm", "abc12346"),
            ],
        )
        .await;
    let err = error_of(res).await;
    assert_eq!(
        field_message(&err, "password_confirm").as_deref(),
        Some("两次输入的密码不一致")
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_applicant_registers_and_is_logged_in(pool: PgPool) {
    let app = spawn(pool).await;
    let client = app.client.clone();
    let res = app
        .register(&client, "+86 139-0000-1111", "王小明", "abc12345")
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(app.current_role().await.as_deref(), Some("applicant"));

    let (login, hash): (String, String) = sqlx::query_as(
        "SELECT login_name, password_hash FROM accounts WHERE phone = '13900001111'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(login, "13900001111");
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    let verified: bool = sqlx::query_scalar(
        "SELECT phone_verified_at IS NOT NULL FROM accounts WHERE login_name = '13900001111'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(verified);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn each_demo_role_logs_in_and_lands_on_its_home(pool: PgPool) {
    let app = spawn(pool).await;
    for (login, role, home) in [
        ("13800000001", "applicant", "/me"),
        ("agent01", "agent", "/workbench"),
        ("manager01", "manager", "/workbench"),
        ("supervisor01", "supervisor", "/supervision"),
        ("admin01", "admin", "/admin"),
    ] {
        let client = new_client();
        let res = app
            .call_with(
                &client,
                "login",
                &[("login_name", login), ("password", DEMO_PASSWORD)],
            )
            .await;
        assert!(res.status().is_success(), "{login}: {}", res.status());
        let landing: String = res.json().await.unwrap();
        assert_eq!(landing, home, "{login}");
        let page = client
            .get(format!("{}{home}", app.base))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{login} opening {home}");
        let v: serde_json::Value = app
            .call_with(&client, "current_user", &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["role"], role);
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn five_failures_lock_the_account_for_fifteen_minutes(pool: PgPool) {
    let app = spawn(pool).await;
    for _ in 0..4 {
        let err = error_of(app.login("agent01", "wrong-pass1").await).await;
        assert_eq!(err["Rejected"], "账号或密码错误");
    }
    let err = error_of(app.login("agent01", "wrong-pass1").await).await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("账号已锁定"),
        "{err}"
    );
    // Even the right password is refused while locked.
    let err = error_of(app.login("agent01", DEMO_PASSWORD).await).await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("账号已锁定"),
        "{err}"
    );
    assert_eq!(app.current_role().await, None);

    let minutes: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM locked_until - now())::float8 / 60 FROM accounts WHERE login_name = 'agent01'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((14.0..=15.0).contains(&minutes), "{minutes}");

    let outcomes: Vec<String> = sqlx::query_scalar(
        "SELECT outcome FROM login_events WHERE login_name = 'agent01' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        outcomes,
        [
            "bad_password",
            "bad_password",
            "bad_password",
            "bad_password",
            "locked_now",
            "locked"
        ]
    );

    // Once the lock has passed, the right password works and the counter starts again.
    sqlx::query("UPDATE accounts SET locked_until = now() - interval '1 second' WHERE login_name = 'agent01'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(app
        .login("agent01", DEMO_PASSWORD)
        .await
        .status()
        .is_success());
    assert_eq!(app.current_role().await.as_deref(), Some("agent"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn unknown_logins_get_the_same_answer_and_are_recorded(pool: PgPool) {
    let app = spawn(pool).await;
    let err = error_of(app.login("nobody", "whatever1").await).await;
    assert_eq!(err["Rejected"], "账号或密码错误");
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM login_events WHERE login_name = 'nobody' AND outcome = 'unknown_account'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn login_rotates_the_session_and_logout_destroys_it(pool: PgPool) {
    let app = spawn(pool).await;
    // A session that exists before login (a visitor's) must not survive it.
    let before = app.call("current_user", &[]).await;
    let pre_cookie = before
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().to_string());
    let res = app.login("agent01", DEMO_PASSWORD).await;
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(Some(cookie.clone()), pre_cookie);
    let session_id = cookie.split(';').next().unwrap().to_string();

    assert!(app.call("logout", &[]).await.status().is_success());
    assert_eq!(app.current_role().await, None);

    // Replaying the old cookie gets nobody.
    let replay: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/current_user", app.base))
        .header("Origin", &app.base)
        .header("Cookie", &session_id)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(replay.is_null(), "{replay}");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM login_events WHERE outcome = 'logout'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

// A live page refreshes itself in the background: a request that loaded the session before the
// logout saves it when it ends, and that must not log the person back in.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_request_in_flight_during_logout_does_not_bring_the_session_back(pool: PgPool) {
    use tower_sessions::session_store::SessionStore;
    let app = spawn(pool).await;
    let res = app.login("agent01", DEMO_PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    let pair = cookie.split(';').next().unwrap().to_string();
    let id: tower_sessions::session::Id = pair.split_once('=').unwrap().1.parse().unwrap();
    let store = server::sessions::SessionRows::new(app.pool.clone());
    let in_flight = store
        .load(&id)
        .await
        .unwrap()
        .expect("the logged-in session");

    assert!(app.call("logout", &[]).await.status().is_success());
    // The earlier request ends now and saves what it loaded.
    store.save(&in_flight).await.unwrap();

    let replay = new_client()
        .get(format!("{}/workbench", app.base))
        .header("Cookie", &pair)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 302);
    assert_eq!(replay.headers()["location"], "/login?next=/workbench");
    assert!(store.load(&id).await.unwrap().is_none());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn pages_for_another_role_answer_403_and_visitors_are_sent_to_login(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.get("/workbench").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/login?next=/workbench");

    app.login("13800000001", DEMO_PASSWORD).await;
    for path in ["/workbench", "/supervision", "/admin"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 403, "{path}");
        let body = res.text().await.unwrap();
        assert!(body.contains("403 无权访问"), "{path}");
    }
    assert_eq!(app.get("/me").await.status(), 200);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn only_an_admin_creates_staff_accounts(pool: PgPool) {
    let app = spawn(pool).await;
    let center: i64 = sqlx::query_scalar("SELECT id FROM centers WHERE kind = 'county_center'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let center = center.to_string();
    let form = |login: &'static str| {
        vec![
            ("login_name", login),
            ("display_name", "孙帮办"),
            ("phone", "13911112222"),
            ("role", "agent"),
            ("center_id", ""),
            ("department_id", ""),
            ("password", "abc12345"),
        ]
    };
    let with_center = |mut f: Vec<(&'static str, &'static str)>, c: &'static str| {
        f[4] = ("center_id", c);
        f
    };
    let center: &'static str = Box::leak(center.into_boxed_str());

    // Nobody logged in, then every non-admin role: refused.
    let err = error_of(
        app.call("admin/create_staff", &with_center(form("agent09"), center))
            .await,
    )
    .await;
    assert_eq!(err, serde_json::json!("Unauthenticated"));
    for login in ["13800000001", "agent01", "manager01", "supervisor01"] {
        let client = new_client();
        app.call_with(
            &client,
            "login",
            &[("login_name", login), ("password", DEMO_PASSWORD)],
        )
        .await;
        let err = error_of(
            app.call_with(
                &client,
                "admin/create_staff",
                &with_center(form("agent09"), center),
            )
            .await,
        )
        .await;
        assert_eq!(err, serde_json::json!("Forbidden"), "{login}");
        let err = error_of(app.call_with(&client, "admin/staff", &[]).await).await;
        assert_eq!(err, serde_json::json!("Forbidden"), "{login}");
    }

    app.login("admin01", DEMO_PASSWORD).await;
    let err = error_of(app.call("admin/create_staff", &form("agent09")).await).await;
    assert_eq!(
        field_message(&err, "center_id").as_deref(),
        Some("请选择所属中心")
    );
    let err = error_of(
        app.call(
            "admin/create_staff",
            &with_center(form("13911112222"), center),
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "login_name").is_some());
    let mut bad_role = with_center(form("agent09"), center);
    bad_role[3] = ("role", "applicant");
    let err = error_of(app.call("admin/create_staff", &bad_role).await).await;
    assert_eq!(
        field_message(&err, "role").as_deref(),
        Some("请选择工作人员角色")
    );

    let res = app
        .call("admin/create_staff", &with_center(form("agent09"), center))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let err = error_of(
        app.call("admin/create_staff", &with_center(form("agent09"), center))
            .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "login_name").as_deref(),
        Some("该账号已被使用，请换一个")
    );

    // The new agent can log in.
    let client = new_client();
    let res = app
        .call_with(
            &client,
            "login",
            &[("login_name", "agent09"), ("password", "abc12345")],
        )
        .await;
    assert!(res.status().is_success());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn state_changing_requests_from_other_sites_are_refused(pool: PgPool) {
    let app = spawn(pool).await;
    let form = [("login_name", "agent01"), ("password", DEMO_PASSWORD)];
    for origin in [Some("http://evil.example"), None] {
        let mut req = app
            .client
            .post(format!("{}/api/login", app.base))
            .form(&form);
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{origin:?}");
        assert!(res.text().await.unwrap().contains("请求来源无效"));
    }
    assert_eq!(app.current_role().await, None);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn health_and_readiness(pool: PgPool) {
    let app = spawn(pool).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ready");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn demo_data_loads_twice_without_change(pool: PgPool) {
    let app = spawn(pool).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT count(*) FROM centers) + (SELECT count(*) FROM departments)
                  + (SELECT count(*) FROM windows) + (SELECT count(*) FROM accounts)",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let before = count().await;
    server::seed::load(&app.pool).await.unwrap();
    assert_eq!(count().await, before);
    let villages: i64 =
        sqlx::query_scalar("SELECT count(*) FROM centers WHERE kind = 'village_station'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(villages, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn staff_sessions_end_after_thirty_idle_minutes(pool: PgPool) {
    let app = spawn(pool).await;
    let idle_minutes = |res: &reqwest::Response| {
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        cookie
            .split(';')
            .find_map(|p| p.trim().strip_prefix("Max-Age="))
            .unwrap_or_else(|| panic!("no Max-Age in {cookie}"))
            .parse::<i64>()
            .unwrap()
            / 60
    };
    let staff = app.login("agent01", DEMO_PASSWORD).await;
    assert_eq!(idle_minutes(&staff), 30);
    let applicant = app
        .call_with(
            &new_client(),
            "login",
            &[("login_name", "13800000001"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(idle_minutes(&applicant), 24 * 60);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_page_view_moves_the_idle_timeout_on_without_rewriting_a_fresh_session(pool: PgPool) {
    let app = spawn(pool).await;
    let agent = app.client_as("agent01").await;
    let expiry = || async {
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
            r#"SELECT max(expiry_date) FROM "tower_sessions"."session""#,
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    // The first view may write the record once in the server's own encoding.
    assert_eq!(app.get_as(&agent, "/workbench").await.status(), 200);
    let written = expiry().await;
    assert_eq!(app.get_as(&agent, "/workbench").await.status(), 200);
    // Within a minute of the last write nothing is written again.
    assert_eq!(expiry().await, written);

    sqlx::query(
        r#"UPDATE "tower_sessions"."session" SET expiry_date = expiry_date - interval '5 minutes'"#,
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let behind = expiry().await;
    // This process wrote it less than a minute ago: it does not even ask.
    assert_eq!(app.get_as(&agent, "/workbench").await.status(), 200);
    assert_eq!(expiry().await, behind);
    // Another process finds the row a minute behind and moves it on.
    let other = common::serve(app.pool.clone()).await;
    assert_eq!(other.get_as(&agent, "/workbench").await.status(), 200);
    assert!(expiry().await >= behind + chrono::Duration::minutes(4));
}

/// Sessions and accounts are held in each process's memory: what another process does to them
/// (here straight SQL, as another server process's statements are) still ends the session here.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_held_session_ends_when_another_process_ends_it_or_disables_its_account(pool: PgPool) {
    let app = spawn(pool).await;
    async fn signed_in(app: &common::TestApp, client: &reqwest::Client) -> bool {
        app.get_as(client, "/workbench").await.status() == 200
    }
    // Heard within a few seconds (a NOTIFY), not at the end of an idle timeout.
    async fn ends(app: &common::TestApp, client: &reqwest::Client) -> bool {
        for _ in 0..100 {
            if !signed_in(app, client).await {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    }
    let agent = app.client_as("agent01").await;
    assert!(signed_in(&app, &agent).await && signed_in(&app, &agent).await);
    sqlx::query(r#"DELETE FROM "tower_sessions"."session""#)
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(ends(&app, &agent).await, "a session deleted elsewhere");

    let agent = app.client_as("agent01").await;
    assert!(signed_in(&app, &agent).await && signed_in(&app, &agent).await);
    sqlx::query("UPDATE accounts SET disabled_at = now() WHERE login_name = 'agent01'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(ends(&app, &agent).await, "an account disabled elsewhere");
}
