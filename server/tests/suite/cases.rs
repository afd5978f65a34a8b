//! Applying and tracking (the applicant side) against a real PostgreSQL and real files on disk:
//! bad input saves nothing, double submits make one case, nobody reads another's case or files,
//! every file opening is recorded, and the outbox sends with retries.

use crate::common;

use app::notifications::ssr::{send_due, Sms, SmsError, SmsSender};
use common::{
    error_of, field_message, new_client, pdf, signature_data_url as png_data_url, signature_png,
    spawn, upload, TestApp,
};
use serde_json::{json, Value};
use sqlx::PgPool;

fn valid_uscc() -> String {
    let body = "91411325MA9G7HLX4";
    "0123456789ABCDEFGHJKLMNPQRTUWXY"
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|s| shared::validate::Uscc::parse(s).is_ok())
        .unwrap()
}

fn enterprise_form() -> Value {
    json!({
        "applicant_kind": "enterprise",
        "unit_name": "内乡县宛西制药有限公司",
        "address": "内乡县城关镇工业路18号",
        "legal_rep": "张明",
        "id_number": valid_uscc(),
        "handler_name": "张明",
        "handler_phone": "13800000001",
        "services": ["window_acceptance", "mail_delivery"],
        "mail_address": "内乡县城关镇工业路18号",
        "mail_recipient": "李会计",
        "mail_phone": "13900000002",
        "mode": "assist",
        "terms_accepted": true
    })
}

/// The apply screen's context: the draft and its submission token.
async fn context(app: &TestApp, client: &reqwest::Client, item: i64) -> Value {
    let res = app
        .call_with(
            client,
            "cases/apply_context",
            &[("item_id", &item.to_string())],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.unwrap()
}

async fn submit(
    app: &TestApp,
    client: &reqwest::Client,
    item: i64,
    token: &str,
    form: &Value,
    signature: &str,
) -> reqwest::Response {
    app.call_json(
        client,
        "cases/submit",
        &json!({ "item_id": item, "token": token, "form": form, "signature": signature }),
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_applications_are_refused_field_by_field_and_save_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let item = app.item_id("企业设立登记（营业执照）").await;
    let ctx = context(&app, &applicant, item).await;
    let token = ctx["token"].as_str().unwrap().to_string();
    assert_eq!(
        ctx["form"]["handler_phone"], "13800000001",
        "draft starts with the account's phone"
    );
    let sig = png_data_url(true);

    let cases: &[(&str, Value, &str)] = &[
        ("id_number", json!({"id_number": "91411325MA9XXXXXX0"}), ""),
        ("handler_phone", json!({"handler_phone": "12345"}), ""),
        ("mail_address", json!({"mail_address": ""}), ""),
        (
            "services",
            json!({"services": ["window_acceptance", "rm -rf"]}),
            "",
        ),
        (
            "services",
            json!({"services": ["door_delivery", "mail_delivery"]}),
            "",
        ),
        ("terms_accepted", json!({"terms_accepted": false}), ""),
        ("power_of_attorney", json!({"handler_name": "王经办"}), ""),
        ("unit_name", json!({"unit_name": "宛"}), ""),
        ("applicant_kind", json!({"applicant_kind": "alien"}), ""),
    ];
    for (field, change, _) in cases {
        let mut form = enterprise_form();
        for (k, v) in change.as_object().unwrap() {
            form[k] = v.clone();
        }
        let err = error_of(submit(&app, &applicant, item, &token, &form, &sig).await).await;
        assert!(field_message(&err, field).is_some(), "{field}: {err}");
    }
    // No signature, a blank one, or something that is not a PNG.
    for bad in [
        String::new(),
        png_data_url(false),
        "data:image/png;base64,TVqQAAMAAAAEAAAA".to_string(),
    ] {
        let err =
            error_of(submit(&app, &applicant, item, &token, &enterprise_form(), &bad).await).await;
        assert_eq!(
            field_message(&err, "signature").as_deref(),
            Some("请在签名框内手写签名"),
            "{err}"
        );
    }
    // Someone else's file cannot be attached.
    let other = app.client_as("agent01").await;
    let theirs: Value = upload(&app, &other, "material", "x.pdf", pdf(), None)
        .await
        .json()
        .await
        .unwrap();
    let mut form = enterprise_form();
    form["material_files"] = json!([[theirs["id"], "x.pdf"]]);
    let err = error_of(submit(&app, &applicant, item, &token, &form, &sig).await).await;
    assert!(field_message(&err, "files").is_some(), "{err}");
    // A bad token, an unknown item.
    let err = error_of(
        submit(
            &app,
            &applicant,
            item,
            "not-a-token",
            &enterprise_form(),
            &sig,
        )
        .await,
    )
    .await;
    assert!(err.get("Rejected").is_some());
    let err =
        error_of(submit(&app, &applicant, 999_999, &token, &enterprise_form(), &sig).await).await;
    assert_eq!(err, json!("NotFound"));
    // Agents only register phone or walk-in applications (see work.rs); supervisors never apply.
    let err = error_of(submit(&app, &other, item, &token, &enterprise_form(), &sig).await).await;
    assert!(field_message(&err, "channel").is_some(), "{err}");
    let supervisor = app.client_as("supervisor01").await;
    let err =
        error_of(submit(&app, &supervisor, item, &token, &enterprise_form(), &sig).await).await;
    assert_eq!(err, json!("Forbidden"));

    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM notifications").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM stored_files WHERE purpose = 'signature'"
        )
        .await,
        0
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_good_application_makes_one_case_even_when_sent_twice(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let item = app.item_id("企业设立登记（营业执照）").await;
    let ctx = context(&app, &applicant, item).await;
    let token = ctx["token"].as_str().unwrap().to_string();

    // The half-filled form survives a reload.
    let mut draft = json!({"applicant_kind": "enterprise", "unit_name": "内乡县宛西"});
    assert!(app
        .call_json(
            &applicant,
            "cases/save_draft",
            &json!({"item_id": item, "form": draft})
        )
        .await
        .status()
        .is_success());
    assert_eq!(
        context(&app, &applicant, item).await["form"]["unit_name"],
        "内乡县宛西"
    );

    let uploaded: Value = upload(
        &app,
        &applicant,
        "material",
        "营业执照申请书.pdf",
        pdf(),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let mut form = enterprise_form();
    form["handler_name"] = json!("王经办");
    let poa: Value = upload(
        &app,
        &applicant,
        "power_of_attorney",
        "委托书.pdf",
        pdf(),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    form["power_of_attorney_file"] = poa["id"].clone();
    form["material_files"] = json!([[uploaded["id"], "营业执照申请书.pdf"]]);
    draft = form.clone();
    let sig = png_data_url(true);

    // Two submits at once with the same token (a double click) give one case.
    let (a, b) = tokio::join!(
        submit(&app, &applicant, item, &token, &draft, &sig),
        submit(&app, &applicant, item, &token, &draft, &sig)
    );
    assert!(a.status().is_success() && b.status().is_success());
    let (a, b): (String, String) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a, b);
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y%m%d")
        .to_string();
    assert_eq!(a, format!("411325-{today}-0001"));
    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, 1);
    assert_eq!(
        count(&app, "SELECT count(*) FROM application_drafts").await,
        0,
        "draft removed"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM stored_files WHERE case_id IS NOT NULL"
        )
        .await,
        3
    );
    let messages: Vec<(String, String, Option<String>)> =
        sqlx::query_as(
            "SELECT channel, status, phone FROM notifications WHERE kind = 'applicant' ORDER BY channel",
        )
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        messages,
        [
            ("in_app".into(), "sent".into(), None),
            ("sms".into(), "pending".into(), Some("13800000001".into()))
        ]
    );

    // The tracking page: state, clocks with explanations, the timeline, the files.
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &a)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["state"], "submitted");
    assert_eq!(view["timeline"][0]["label"], "提交申请");
    assert_eq!(view["clocks"][0]["kind"], "agent_review");
    assert!(view["clocks"][0]["explanation"]
        .as_str()
        .unwrap()
        .contains("审核截止日"));
    assert_eq!(view["files"].as_array().unwrap().len(), 2);
    assert!(view["can_withdraw"].as_bool().unwrap());
    let mine: Vec<Value> = app
        .call_with(&applicant, "cases/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["number"], a);
    assert!(mine[0]["next_due"].is_string());

    // A second application with a fresh token gets the next number.
    let token2 = context(&app, &applicant, item).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(token2, token);
    let n2: String = submit(&app, &applicant, item, &token2, &enterprise_form(), &sig)
        .await
        .json()
        .await
        .unwrap();
    assert!(n2.ends_with("-0002"), "{n2}");

    // Withdrawal needs a reason, then closes the case.
    let err = error_of(
        app.call_with(
            &applicant,
            "cases/withdraw",
            &[("number", &n2), ("reason", "")],
        )
        .await,
    )
    .await;
    assert!(field_message(&err, "reason").is_some());
    assert!(app
        .call_with(
            &applicant,
            "cases/withdraw",
            &[("number", &n2), ("reason", "已自行办理")]
        )
        .await
        .status()
        .is_success());
    let view: Value = app
        .call_with(&applicant, "cases/view", &[("number", &n2)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["state"], "withdrawn");
    assert_eq!(view["timeline"][1]["note"], "已自行办理");
    let err = error_of(
        app.call_with(
            &applicant,
            "cases/withdraw",
            &[("number", &n2), ("reason", "再撤一次")],
        )
        .await,
    )
    .await;
    assert!(
        err["Rejected"].as_str().unwrap().contains("已撤回"),
        "{err}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn nobody_reads_another_applicants_case_or_files_and_every_opening_is_logged(pool: PgPool) {
    let app = spawn(pool).await;
    let owner = app.client_as("13800000001").await;
    let item = app.item_id("企业设立登记（营业执照）").await;
    let token = context(&app, &owner, item).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let file: Value = upload(&app, &owner, "material", "章程.pdf", pdf(), None)
        .await
        .json()
        .await
        .unwrap();
    let mut form = enterprise_form();
    form["material_files"] = json!([[file["id"], "章程.pdf"]]);
    let number: String = submit(&app, &owner, item, &token, &form, &png_data_url(true))
        .await
        .json()
        .await
        .unwrap();
    let file_id = file["id"].as_i64().unwrap();

    // Another applicant registers and guesses.
    let other = new_client();
    let res = app
        .register(&other, "13900009999", "路人甲", "another-pass-1")
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let err = error_of(
        app.call_with(&other, "cases/view", &[("number", &number)])
            .await,
    )
    .await;
    assert_eq!(err, json!("NotFound"));
    let err = error_of(
        app.call_with(
            &other,
            "cases/withdraw",
            &[("number", &number), ("reason", "恶意撤回")],
        )
        .await,
    )
    .await;
    assert_eq!(err, json!("NotFound"));
    for id in [file_id, file_id + 1, file_id - 1] {
        let res = other
            .get(format!("{}/files/{id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "file {id}");
    }
    let res = new_client()
        .get(format!("{}/files/{file_id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Their own draft is their own: the other applicant's context for the item is a fresh one.
    let theirs = context(&app, &other, item).await;
    assert_ne!(theirs["token"].as_str().unwrap(), token);
    assert_eq!(theirs["form"]["handler_phone"], "13900009999");
    // An agent of another center sees nothing; the county center's agent and a supervisor do.
    let village = app.client_as("agent03").await;
    let err = error_of(
        app.call_with(&village, "cases/view", &[("number", &number)])
            .await,
    )
    .await;
    assert_eq!(err, json!("NotFound"));
    assert_eq!(
        village
            .get(format!("{}/files/{file_id}", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    for login in ["13800000001", "agent01", "supervisor01"] {
        let client = if login == "13800000001" {
            owner.clone()
        } else {
            app.client_as(login).await
        };
        let res = client
            .get(format!("{}/files/{file_id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{login}");
        assert_eq!(res.headers()["cache-control"], "no-store, private");
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.bytes().await.unwrap().as_ref(), pdf().as_slice());
    }
    let log: Vec<String> = sqlx::query_scalar(
        "SELECT a.login_name FROM file_accesses f JOIN accounts a ON a.id = f.account_id WHERE f.file_id = $1 ORDER BY f.id",
    )
    .bind(file_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(log, ["13800000001", "agent01", "supervisor01"]);

    // On disk under a server-chosen name, with its checksum.
    let (stored, sha): (String, String) =
        sqlx::query_as("SELECT stored_name, sha256 FROM stored_files WHERE id = $1")
            .bind(file_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!stored.contains("章程"));
    assert_eq!(std::fs::read(app.files_dir.join(&stored)).unwrap(), pdf());
    assert_eq!(sha.len(), 64);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn uploads_are_checked_by_content_and_size(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let exe = [b"MZ\x90\x00".as_slice(), &[0u8; 1000]].concat();
    let res = upload(&app, &applicant, "material", "营业执照.pdf", exe, None).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "只能上传PDF、JPG或PNG文件（按文件内容识别）");

    let big = [pdf(), vec![b' '; 25 * 1024 * 1024]].concat();
    let res = upload(&app, &applicant, "material", "大文件.pdf", big, None).await;
    assert!(res.status() == 413, "{}", res.status());

    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 100]].concat();
    let res = upload(&app, &applicant, "material", "照片.jpg", jpeg, None).await;
    assert_eq!(res.status(), 200);
    let res = upload(
        &app,
        &applicant,
        "signature",
        "x.png",
        signature_png(true),
        None,
    )
    .await;
    assert_eq!(
        res.status(),
        400,
        "signatures only come with the application"
    );
    let res = upload(&app, &new_client(), "material", "a.pdf", pdf(), None).await;
    assert_eq!(res.status(), 401);
    assert_eq!(count(&app, "SELECT count(*) FROM stored_files").await, 1);
}

struct Flaky(std::sync::atomic::AtomicU32);

impl SmsSender for Flaky {
    async fn send(&self, _sms: &Sms<'_>) -> Result<Option<String>, SmsError> {
        if self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Err(SmsError::Retry("gateway timeout".into()))
        } else {
            Ok(None)
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sms_are_retried_with_backoff_and_never_lost(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let item = app.item_id("企业设立登记（营业执照）").await;
    let token = context(&app, &applicant, item).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    // The handler's phone typed in the form is someone else's: the texts still go only to the
    // applicant's own verified phone, so nobody can make us text a stranger.
    let mut form = enterprise_form();
    form["handler_phone"] = json!("13912345678");
    let number: String = submit(&app, &applicant, item, &token, &form, &png_data_url(true))
        .await
        .json()
        .await
        .unwrap();
    let phones: Vec<String> =
        sqlx::query_scalar("SELECT phone FROM notifications WHERE channel = 'sms'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(phones, ["13800000001"]);
    let sender = Flaky(Default::default());
    assert_eq!(send_due(&app.pool, &sender, 10).await.unwrap(), 0);
    let (status, attempts, error, later): (String, i32, Option<String>, bool) = sqlx::query_as(
        "SELECT status, attempts, last_error, next_attempt_at > now() + interval '20 seconds' FROM notifications WHERE channel = 'sms'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), attempts, error.as_deref(), later),
        ("pending", 1, Some("gateway timeout"), true)
    );
    // Not due yet: nothing is sent; once due, it goes.
    assert_eq!(send_due(&app.pool, &sender, 10).await.unwrap(), 0);
    sqlx::query("UPDATE notifications SET next_attempt_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(send_due(&app.pool, &sender, 10).await.unwrap(), 1);
    let body: String = sqlx::query_scalar(
        "SELECT body FROM notifications WHERE channel = 'sms' AND status = 'sent'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        body.contains(&number) && body.starts_with("【内乡县政务服务】"),
        "{body}"
    );
    // The administrator's outbox lists it; nobody else may see it.
    let admin = app.client_as("admin01").await;
    let rows: Vec<Value> = app
        .call_with(&admin, "admin/outbox", &[])
        .await
        .json()
        .await
        .unwrap();
    // The applicant's text and in-app message, beside the new-case alerts of the center's agents.
    let to_applicant = rows
        .iter()
        .filter(|r| !r["body"].as_str().unwrap().contains("待接收"))
        .count();
    assert_eq!((rows.len(), to_applicant), (4, 2));
    let err = error_of(app.call_with(&applicant, "admin/outbox", &[]).await).await;
    assert_eq!(err, json!("Forbidden"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_printed_form_is_the_policys_with_seal_and_both_signatures(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let item = app.item_id("发票申领").await;
    let seal: Value = upload(
        &app,
        &applicant,
        "seal",
        "盖章申请表.png",
        signature_png(true),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let token = context(&app, &applicant, item).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut form = enterprise_form();
    form["seal_file"] = seal["id"].clone();
    let res = submit(&app, &applicant, item, &token, &form, &png_data_url(true)).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let number: String = res.json().await.unwrap();
    let agent = app.client_as("agent01").await;
    let res = app
        .call_json(
            &agent,
            "work/act",
            &json!({"number": number, "version": 1, "action": {"action": "receive", "signature": png_data_url(true)}}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let html = agent
        .get(format!("{}/cases/{number}/print", app.base))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("内乡县税务局政务服务事项"),
        "title names the department"
    );
    assert!(html.contains("申请单位名称（盖章）"));
    assert!(
        html.contains(&format!("/files/{}", seal["id"])),
        "the seal is printed"
    );
    assert!(
        html.contains("alt=\"代办人签名\""),
        "the agent signed on receipt"
    );
    assert!(html.contains("alt=\"经办人签名\""));
    for clause in shared::application::LEGAL_TERMS {
        assert!(html.contains(clause), "{clause}");
    }
    assert!(html.contains("以下内容由税务局行政审批工作人员（帮办代办人员）填写"));
    // The seal belongs to the case now, and only to people on it.
    let case_of: Option<String> = sqlx::query_scalar(
        "SELECT c.number FROM stored_files f JOIN cases c ON c.id = f.case_id WHERE f.id = $1",
    )
    .bind(seal["id"].as_i64().unwrap())
    .fetch_optional(&app.pool)
    .await
    .unwrap();
    assert_eq!(case_of.as_deref(), Some(number.as_str()));
}
