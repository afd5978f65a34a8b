//! Issue 13, written as the attacks they stop: taking over a phone without its code, guessing
//! passwords in parallel, telling known numbers from unknown ones, bouncing a login elsewhere,
//! flooding the code sender; and honest status codes.

use crate::common;

use common::{error_of, field_message, new_client, spawn};
use server::seed::DEMO_PASSWORD;
use sqlx::PgPool;

/// An account an agent created for a walk-in's phone (as `cases::ssr::applicant_for` does).
async fn unclaimed(pool: &PgPool, phone: &str) {
    sqlx::query(
        "INSERT INTO accounts (role, login_name, display_name, phone, password_hash)
         VALUES ('applicant', $1, '张秀英', $1, '!')",
    )
    .bind(phone)
    .execute(pool)
    .await
    .unwrap();
}

fn register_form<'a>(phone: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("phone", phone),
        ("code", code),
        ("display_name", "冒名者"),
        ("password", "take-over-1"),
        ("password_confirm", "take-over-1"),
    ]
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_account_made_for_a_walk_in_cannot_be_claimed_without_the_code(pool: PgPool) {
    let app = spawn(pool).await;
    unclaimed(&app.pool, "13700001234").await;
    let attacker = new_client();

    // Without asking for a code.
    let err = error_of(
        app.call_with(&attacker, "register", &register_form("13700001234", ""))
            .await,
    )
    .await;
    assert_eq!(
        field_message(&err, "code").as_deref(),
        Some("请填写短信验证码")
    );

    // The code goes to the phone, not to the attacker; five guesses use it up, and then even
    // the right code no longer works.
    assert!(app
        .send_code(&attacker, "13700001234", "register")
        .await
        .status()
        .is_success());
    let real = app.last_code("13700001234").await.unwrap();
    let wrong = format!("{:06}", (real.parse::<u32>().unwrap() + 1) % 1_000_000);
    for _ in 0..5 {
        let res = app
            .call_with(&attacker, "register", &register_form("13700001234", &wrong))
            .await;
        assert_eq!(res.status(), 422);
        let err = res.json().await.unwrap();
        assert_eq!(
            field_message(&err, "code").as_deref(),
            Some("验证码错误或已失效，请重新获取")
        );
    }
    let err = error_of(
        app.call_with(&attacker, "register", &register_form("13700001234", &real))
            .await,
    )
    .await;
    assert!(field_message(&err, "code").is_some());
    let claimed: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE login_name = '13700001234'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(claimed, "!", "the account stays unclaimed");

    // The code is stored hashed, never as typed.
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM phone_codes")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|h| h.starts_with("$argon2id$") && !h.contains(&real)));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_number_registered_first_by_someone_else_never_gets_the_walk_in_case(pool: PgPool) {
    let app = spawn(pool).await;
    // The attacker tries to register the neighbour's number before the neighbour's walk-in
    // case is registered: the code goes to the neighbour, so the attacker cannot finish.
    let attacker = new_client();
    app.send_code(&attacker, "13700005678", "register").await;
    let err = error_of(
        app.call_with(
            &attacker,
            "register",
            &register_form("13700005678", "000000"),
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "code").is_some());
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE login_name = '13700005678'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(n, 0);
    // The neighbour, holding the phone, registers fine.
    let owner = new_client();
    // One code per minute per phone: the owner's own request waits for that window.
    sqlx::query("DELETE FROM rate_limits")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app
        .register(&owner, "13700005678", "邻居", "mine-own-1")
        .await;
    assert!(res.status().is_success(), "{}", res.status());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn thirty_parallel_guesses_get_five_tries(pool: PgPool) {
    let app = spawn(pool).await;
    let guesses = (0..30).map(|i| {
        let app = &app;
        async move {
            app.call_with(
                &new_client(),
                "login",
                &[
                    ("login_name", "agent01"),
                    ("password", &format!("guess-{i:02}x")),
                ],
            )
            .await
            .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    assert!(statuses.iter().all(|s| !s.is_success()));
    let checked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM login_events
         WHERE login_name = 'agent01' AND outcome IN ('bad_password', 'locked_now', 'success')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(checked, 5, "only five passwords were ever compared");
    // The address is now refused for a while too (30 failures); past that, the account itself
    // is locked: even the right password waits.
    let res = app.login("agent01", DEMO_PASSWORD).await;
    assert_eq!(res.status(), 429);
    sqlx::query("DELETE FROM rate_limits")
        .execute(&app.pool)
        .await
        .unwrap();
    let err = error_of(app.login("agent01", DEMO_PASSWORD).await).await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("账号已锁定"),
        "{err}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn known_and_unknown_phones_get_the_same_answers(pool: PgPool) {
    let app = spawn(pool).await;
    let known = "13800000001"; // the demo applicant
    let unknown = "13800000002";
    let answer = |res: reqwest::Response, phone: &'static str| async move {
        let status = res.status();
        let text = res.text().await.unwrap();
        let masked = format!("{}****{}", &phone[..3], &phone[7..]);
        (status, text.replace(&masked, "PHONE"))
    };
    for purpose in ["register", "reset"] {
        let a = answer(app.send_code(&new_client(), known, purpose).await, known).await;
        let b = answer(
            app.send_code(&new_client(), unknown, purpose).await,
            unknown,
        )
        .await;
        assert_eq!(a, b, "{purpose}");
        assert!(a.0.is_success(), "{purpose}: {a:?}");
        sqlx::query("DELETE FROM rate_limits")
            .execute(&app.pool)
            .await
            .unwrap();
    }
    // The registered number got a notice, not a code; the unknown one a code.
    let templates: Vec<(String, String)> = sqlx::query_as(
        "SELECT phone, template FROM notifications WHERE channel = 'sms' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        templates,
        [
            (known.to_string(), "already_registered".to_string()),
            (unknown.to_string(), "verification_code".to_string()),
            (known.to_string(), "verification_code".to_string()),
        ]
    );

    // Registering: a wrong code reads the same for both.
    let a = answer(
        app.call_with(&new_client(), "register", &register_form(known, "111111"))
            .await,
        known,
    )
    .await;
    let b = answer(
        app.call_with(&new_client(), "register", &register_form(unknown, "111111"))
            .await,
        unknown,
    )
    .await;
    assert_eq!(a, b);

    // Logging in: wrong passwords read the same, and both lock after five.
    for i in 0..6 {
        let a = error_of(app.login(known, "wrong-pass1").await).await;
        let b = error_of(app.login(unknown, "wrong-pass1").await).await;
        let strip = |v: &serde_json::Value| {
            v.to_string()
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>()
        };
        assert_eq!(strip(&a), strip(&b), "attempt {i}: {a} / {b}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn codes_are_sent_at_most_once_a_minute_per_phone(pool: PgPool) {
    let app = spawn(pool).await;
    let client = new_client();
    assert!(app
        .send_code(&client, "13700007777", "register")
        .await
        .status()
        .is_success());
    let res = app.send_code(&client, "13700007777", "register").await;
    assert_eq!(res.status(), 429);
    let err: serde_json::Value = res.json().await.unwrap();
    assert!(
        err["TooMany"]
            .as_str()
            .unwrap()
            .starts_with("操作过于频繁，请"),
        "{err}"
    );
    let sent: i64 =
        sqlx::query_scalar("SELECT count(*) FROM phone_codes WHERE phone = '13700007777'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(sent, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_reset_by_code_sets_the_password_and_ends_other_sessions(pool: PgPool) {
    let app = spawn(pool).await;
    let phone = "13800000001";
    let old_browser = app.client_as(phone).await;
    let me = new_client();
    assert!(app
        .send_code(&me, phone, "reset")
        .await
        .status()
        .is_success());
    let code = app.last_code(phone).await.unwrap();
    let res = app
        .call_with(
            &me,
            "reset_password",
            &[
                ("phone", phone),
                ("code", &code),
                ("password", "new-secret-9"),
                ("password_confirm", "new-secret-9"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let who: serde_json::Value = app
        .call_with(&me, "current_user", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(who["role"], "applicant");
    let old: serde_json::Value = app
        .call_with(&old_browser, "current_user", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(old.is_null(), "the other browser is logged out: {old}");
    assert!(!app.login(phone, DEMO_PASSWORD).await.status().is_success());
    assert!(app.login(phone, "new-secret-9").await.status().is_success());
    // The code worked once.
    let again = app
        .call_with(
            &new_client(),
            "reset_password",
            &[
                ("phone", phone),
                ("code", &code),
                ("password", "other-secret-9"),
                ("password_confirm", "other-secret-9"),
            ],
        )
        .await;
    assert_eq!(again.status(), 422);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn next_never_leaves_the_site_and_never_breaks_the_login(pool: PgPool) {
    let app = spawn(pool).await;
    for next in [
        "/\t/evil.example",
        "/\n",
        "//evil.example",
        "/\\evil.example",
        "/ok\r\nX: 1",
    ] {
        let res = app
            .call_with(
                &new_client(),
                "login",
                &[
                    ("login_name", "agent01"),
                    ("password", DEMO_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status(), 200, "{next:?}");
        let landing: String = res.json().await.unwrap();
        assert_eq!(landing, "/workbench", "{next:?}");
    }
    // As a plain form post (no wasm): the redirect goes home too.
    let res = new_client()
        .post(format!("{}/api/login", app.base))
        .header("Origin", &app.base)
        .header("Accept", "text/html")
        .form(&[
            ("login_name", "agent01"),
            ("password", DEMO_PASSWORD),
            ("next", "/\n"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/workbench");
    // The login page itself, asked to return somewhere odd.
    for query in [
        "next=/%0A",
        "next=/%09/evil.example",
        "next=%E4%B8%AD",
        "next=/%FF",
    ] {
        let res = app.get(&format!("/login?{query}")).await;
        assert_eq!(res.status(), 200, "{query}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_callers_mistake_is_a_4xx_never_a_500(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.call("register", &register_form("123", "1")).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.call("admin/staff", &[]).await.status(), 401);
    let applicant = app.client_as("13800000001").await;
    assert_eq!(
        app.call_with(&applicant, "admin/staff", &[]).await.status(),
        403
    );
    assert_eq!(
        app.call_with(&applicant, "cases/view", &[("number", "BB-NONE")])
            .await
            .status(),
        404
    );
    assert_eq!(app.call("no/such/function", &[]).await.status(), 404);
    assert_eq!(app.login("agent01", "wrong-pass1").await.status(), 409);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_outbox_shows_neither_whole_numbers_nor_codes(pool: PgPool) {
    let app = spawn(pool).await;
    app.send_code(&new_client(), "13700003333", "register")
        .await;
    let code = app.last_code("13700003333").await.unwrap();
    let admin = app.client_as("admin01").await;
    let text = app
        .call_with(&admin, "admin/outbox", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("137****3333"), "{text}");
    assert!(!text.contains("13700003333"), "{text}");
    assert!(!text.contains(&code), "{text}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn pages_carry_a_nonce_policy_and_personal_data_is_never_cached(pool: PgPool) {
    let app = spawn(pool).await;
    app.login("13800000001", DEMO_PASSWORD).await;
    let page = app.get("/register").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains(" 'unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce")
        .to_string();
    assert!(nonce.len() >= 16, "{nonce}");
    let html = page.text().await.unwrap();
    // Every script on the page is ours by file or carries the nonce.
    for tag in html.split("<script").skip(1) {
        let attrs = tag.split('>').next().unwrap();
        assert!(
            attrs.contains(&format!("nonce=\"{nonce}\"")) || attrs.contains("src="),
            "{attrs}"
        );
    }
    // A new nonce for every response.
    let again = app.get("/register").await;
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));

    for res in [
        app.get("/me").await,
        app.call("cases/mine", &[]).await,
        app.call("current_user", &[]).await,
    ] {
        assert_eq!(res.headers()["cache-control"], "no-store", "{}", res.url());
        assert!(res.headers().contains_key("permissions-policy"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        // Served over plain HTTP here: no HSTS (it would pin a developer's localhost).
        assert!(!res.headers().contains_key("strict-transport-security"));
    }

    // An uploaded PDF is downloaded, never run in our pages' origin.
    let pdf = common::upload(
        &app,
        &app.client,
        "material",
        "营业执照.pdf",
        common::pdf(),
        None,
    )
    .await
    .json::<serde_json::Value>()
    .await
    .unwrap();
    let file = app
        .get(&format!("/files/{}", pdf["id"].as_i64().unwrap()))
        .await;
    assert_eq!(file.status(), 200);
    assert!(file.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert!(file.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn old_drafts_and_unattached_uploads_are_removed_and_uploads_are_capped(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let upload = || async {
        common::upload(
            &app,
            &applicant,
            "material",
            "身份证.pdf",
            common::pdf(),
            None,
        )
        .await
    };
    let old: serde_json::Value = upload().await.json().await.unwrap();
    let new: serde_json::Value = upload().await.json().await.unwrap();
    let (old_id, new_id) = (old["id"].as_i64().unwrap(), new["id"].as_i64().unwrap());
    // The file's name on disk while it is still there.
    let stored = |id: i64| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT stored_name FROM stored_files WHERE id = $1 AND removed_at IS NULL",
            )
            .bind(id)
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    };
    let old_name = stored(old_id).await.unwrap();
    assert!(app.files_dir.join(&old_name).exists());
    sqlx::query("UPDATE stored_files SET uploaded_at = now() - interval '8 days' WHERE id = $1")
        .bind(old_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO application_drafts (applicant_id, item_id, updated_at)
         SELECT a.id, i.id, now() - interval '8 days' FROM accounts a, service_items i
         WHERE a.login_name = '13800000001' LIMIT 1",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    server::jobs::retain(&app.pool, &app.files_dir)
        .await
        .unwrap();
    assert_eq!(stored(old_id).await, None);
    assert!(
        !app.files_dir.join(&old_name).exists(),
        "gone from disk too"
    );
    assert!(stored(new_id).await.is_some(), "a recent upload stays");
    let res = app.get(&format!("/files/{old_id}")).await;
    assert_eq!(res.status(), 401, "(this client is not the uploader)");
    let res = applicant
        .get(format!("{}/files/{old_id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "a removed upload no longer opens");
    let drafts: i64 = sqlx::query_scalar("SELECT count(*) FROM application_drafts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(drafts, 0);

    // The daily quota: once full, the next upload is refused before it is read.
    sqlx::query("UPDATE rate_limits SET hits = 300 WHERE key LIKE 'upload_account_1d:%'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = upload().await;
    assert_eq!(res.status(), 429);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("操作过于频繁"),
        "{body}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn changing_a_password_needs_the_current_one_and_ends_other_sessions(pool: PgPool) {
    let app = spawn(pool).await;
    let elsewhere = app.client_as("agent01").await;
    let me = app.client_as("agent01").await;
    let change = |current: &'static str, new: &'static str| {
        let (app, me) = (&app, &me);
        async move {
            app.call_with(
                me,
                "account/change_password",
                &[
                    ("current", current),
                    ("password", new),
                    ("password_confirm", new),
                ],
            )
            .await
        }
    };
    let err = error_of(change("wrong-pass1", "brand-new-22").await).await;
    assert_eq!(
        field_message(&err, "current").as_deref(),
        Some("当前密码不正确")
    );
    let res = change(DEMO_PASSWORD, "brand-new-22").await;
    assert!(res.status().is_success(), "{}", res.status());
    let who = |c: &reqwest::Client| {
        let (app, c) = (&app, c.clone());
        async move {
            app.call_with(&c, "current_user", &[])
                .await
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        who(&me).await["role"],
        "agent",
        "this browser stays logged in"
    );
    assert!(
        who(&elsewhere).await.is_null(),
        "the other browser is logged out"
    );
    // Anonymous callers cannot change anything.
    let res = app
        .call_with(
            &new_client(),
            "account/change_password",
            &[
                ("current", "x"),
                ("password", "brand-new-33"),
                ("password_confirm", "brand-new-33"),
            ],
        )
        .await;
    assert_eq!(res.status(), 401);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn admins_disable_unlock_and_reset_staff_and_a_set_password_is_changed_first(pool: PgPool) {
    let app = spawn(pool).await;
    let admin = app.client_as("admin01").await;
    let agent_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = 'agent02'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = agent_id.to_string();
    let status = |client: &reqwest::Client, action: &'static str| {
        let (app, client, id) = (&app, client.clone(), id.clone());
        async move {
            app.call_with(
                &client,
                "admin/staff_status",
                &[("id", &id), ("action", action)],
            )
            .await
        }
    };

    // Only an administrator.
    for login in ["agent01", "manager01", "supervisor01", "13800000001"] {
        let c = app.client_as(login).await;
        assert_eq!(status(&c, "disable").await.status(), 403, "{login}");
        let res = app
            .call_with(&c, "admin/reset_staff_password", &[("id", &id)])
            .await;
        assert_eq!(res.status(), 403, "{login}");
    }

    // Disabling ends the agent's session at once; the right password then says why.
    let agent = app.client_as("agent02").await;
    assert!(status(&admin, "disable").await.status().is_success());
    let me: serde_json::Value = app
        .call_with(&agent, "current_user", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(me.is_null(), "{me}");
    let err = error_of(app.login("agent02", DEMO_PASSWORD).await).await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("已停用"),
        "{err}"
    );
    // A wrong password reads as any wrong password.
    let err = error_of(app.login("agent02", "wrong-pass1").await).await;
    assert_eq!(err["Rejected"], "账号或密码错误");
    assert!(status(&admin, "enable").await.status().is_success());
    assert!(app
        .login("agent02", DEMO_PASSWORD)
        .await
        .status()
        .is_success());

    // Locked by five failures, unlocked by the administrator.
    for _ in 0..5 {
        app.login("agent02", "wrong-pass1").await;
    }
    assert!(
        error_of(app.login("agent02", DEMO_PASSWORD).await).await["Rejected"]
            .as_str()
            .unwrap()
            .contains("锁定")
    );
    assert!(status(&admin, "unlock").await.status().is_success());
    assert!(app
        .login("agent02", DEMO_PASSWORD)
        .await
        .status()
        .is_success());

    // An administrator cannot lock themselves out.
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = 'admin01'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .call_with(
            &admin,
            "admin/staff_status",
            &[("id", &admin_id.to_string()), ("action", "disable")],
        )
        .await;
    assert_eq!(res.status(), 409);

    // A reset gives a temporary password to change at first login; until then nothing else.
    let temporary: String = app
        .call_with(&admin, "admin/reset_staff_password", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(temporary.len(), 9);
    let agent = new_client();
    let res = app
        .call_with(
            &agent,
            "login",
            &[("login_name", "agent02"), ("password", &temporary)],
        )
        .await;
    let landing: String = res.json().await.unwrap();
    assert_eq!(landing, "/account/password");
    let res = app
        .call_with(&agent, "work/queue", &[("queue", "new")])
        .await;
    assert_eq!(res.status(), 409);
    let page = agent
        .get(format!("{}/workbench", app.base))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 302);
    assert_eq!(page.headers()["location"], "/account/password");
    let res = app
        .call_with(
            &agent,
            "account/change_password",
            &[
                ("current", &temporary),
                ("password", "my-own-pass-7"),
                ("password_confirm", "my-own-pass-7"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .call_with(&agent, "work/queue", &[("queue", "new")])
        .await;
    assert!(res.status().is_success(), "{}", res.status());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_idle_timeout_slides_with_activity(pool: PgPool) {
    let app = spawn(pool).await;
    let agent = app.client_as("agent01").await;
    // A later request renews the session's expiry (the cookie is sent again).
    let res = app.call_with(&agent, "current_user", &[]).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Max-Age=1800"), "{cookie}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_address_cannot_send_codes_to_many_phones(pool: PgPool) {
    let app = spawn(pool).await;
    let client = new_client();
    // Five numbers a minute from one address (a village station's Wi-Fi), not a sixth.
    for n in 0..5 {
        let phone = format!("1370000100{n}");
        let res = app.send_code(&client, &phone, "register").await;
        assert!(res.status().is_success(), "{phone}: {}", res.status());
    }
    let res = app.send_code(&client, "13700001009", "register").await;
    assert_eq!(res.status(), 429);
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM phone_codes")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(queued, 5, "the refused request sent nothing");
}
