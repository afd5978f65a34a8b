//! Live work (issue 14): pushed events scoped by who may see the case, catching up after a
//! reconnect, staff alerts once however many processes run the job, the inbox, and the SMS
//! gateway against a fake of the provider that checks signatures.

use crate::common;

use app::notifications::ssr::{send_due, Sms, SmsError, SmsSender};
use common::{apply, spawn, TestApp};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;

/// A page's event stream, read as the browser would.
struct Stream {
    res: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(app: &TestApp, client: &Client, last: Option<&str>) -> Stream {
        let mut req = client.get(format!("{}/events", app.base));
        if let Some(last) = last {
            req = req.header("Last-Event-ID", last);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Stream {
            res,
            buf: String::new(),
        }
    }

    /// The next event (kind, id, data) within `wait`, keep-alive comments skipped.
    async fn next(&mut self, wait: Duration) -> Option<(String, String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut kind, mut id, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        kind = v.trim().into();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().into();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = v.trim().into();
                    }
                }
                if !kind.is_empty() {
                    return Some((kind, id, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Reads until an event of `kind` with `data` arrives; `None` if it does not within `wait`.
    async fn until(&mut self, kind: &str, data: &str, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let (k, id, d) = self.next(left).await?;
            if k == kind && d == data {
                return Some(id);
            }
        }
    }
}

const SOON: Duration = Duration::from_secs(5);

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_change_reaches_those_who_may_see_the_case_and_nobody_else(pool: PgPool) {
    let app = spawn(pool).await;
    let applicant = app.client_as("13800000001").await;
    let agent = app.client_as("agent01").await;
    let elsewhere = app.client_as("agent02").await;
    let visitor = common::new_client();
    let res = visitor
        .get(format!("{}/events", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let mut mine = Stream::open(&app, &applicant, None).await;
    let mut theirs = Stream::open(&app, &agent, None).await;
    let mut other = Stream::open(&app, &elsewhere, None).await;
    let (kind, hello_id, _) = theirs.next(SOON).await.unwrap();
    assert_eq!(kind, "hello");

    let number = apply(&app, "发票申领", "assist").await;
    assert!(theirs.until("case", &number, SOON).await.is_some());
    assert!(mine.until("case", &number, SOON).await.is_some());
    // Another center's agent hears nothing of it.
    assert_eq!(
        other
            .until("case", &number, Duration::from_millis(1500))
            .await,
        None
    );

    // A page that was away reconnects with the last event it had and is told what it missed.
    let mut back = Stream::open(&app, &agent, Some(&hello_id)).await;
    assert!(back.until("case", &number, SOON).await.is_some());
    // A page starting a new stream after the browser gave up asks with `?since=`.
    let res = agent
        .get(format!("{}/events?since={hello_id}", app.base))
        .send()
        .await
        .unwrap();
    let mut again = Stream {
        res,
        buf: String::new(),
    };
    assert!(again.until("case", &number, SOON).await.is_some());
    let mut back = Stream::open(&app, &elsewhere, Some(&hello_id)).await;
    assert_eq!(
        back.until("case", &number, Duration::from_millis(500))
            .await,
        None
    );
}

async fn inbox(app: &TestApp, client: &Client) -> Value {
    let res = app.call_with(client, "inbox/list", &[]).await;
    assert!(res.status().is_success());
    res.json().await.unwrap()
}

async fn alerts(app: &TestApp, login: &str, template: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT n.body FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE a.login_name = $1 AND n.template = $2 AND n.channel = 'in_app' ORDER BY n.id",
    )
    .bind(login)
    .bind(template)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn staff_are_told_of_new_and_assigned_cases_and_read_their_inbox(pool: PgPool) {
    let app = spawn(pool).await;
    let number = apply(&app, "发票申领", "assist").await;
    // The filed agents of the center who cover the item hear of the new case; others do not.
    for login in ["agent01", "agent04"] {
        let got = alerts(&app, login, "staff_new_case").await;
        assert!(got.iter().any(|b| b.contains(&number)), "{login}: {got:?}");
    }
    assert!(alerts(&app, "agent02", "staff_new_case").await.is_empty());
    assert!(alerts(&app, "agent05", "staff_new_case").await.is_empty());

    let manager = app.client_as("manager01").await;
    let agent04: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = 'agent04'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let version = app
        .call_with(&manager, "work/context", &[("number", &number)])
        .await
        .json::<Value>()
        .await
        .unwrap()["version"]
        .clone();
    let res = app
        .call_json(
            &manager,
            "work/act",
            &json!({"number": number, "version": version,
                    "action": {"action": "assign", "agent_id": agent04, "reason": "熟悉税务"}}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let got = alerts(&app, "agent04", "staff_assigned").await;
    assert!(
        got[0].contains(&number) && got[0].contains("熟悉税务"),
        "{got:?}"
    );

    // The inbox: newest first with its case; the header's count; marking read, one or all;
    // another's message id marks nothing.
    let agent = app.client_as("agent04").await;
    let list = inbox(&app, &agent).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["case_number"], json!(number));
    assert_eq!(list["sms_alerts"], json!([false, "139****0004"]));
    let unread = |c: Client| {
        let app = &app;
        async move {
            app.call_with(&c, "current_user", &[])
                .await
                .json::<Value>()
                .await
                .unwrap()["unread"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(unread(agent.clone()).await, 2);
    let applicant = app.client_as("13800000001").await;
    let theirs = inbox(&app, &applicant).await["items"][0]["id"].to_string();
    app.call_with(&agent, "inbox/read", &[("id", &theirs)])
        .await;
    assert_eq!(
        inbox(&app, &applicant).await["items"][0]["read"],
        json!(false)
    );
    let first = items[0]["id"].to_string();
    app.call_with(&agent, "inbox/read", &[("id", &first)]).await;
    assert_eq!(unread(agent.clone()).await, 1);
    app.call_with(&agent, "inbox/read", &[]).await;
    assert_eq!(unread(agent.clone()).await, 0);

    // SMS alerts are the staff member's choice; an applicant has none to choose.
    let res = app
        .call_with(&agent, "inbox/sms_alerts", &[("on", "true")])
        .await;
    assert!(res.status().is_success());
    let res = app
        .call_with(&applicant, "inbox/sms_alerts", &[("on", "true")])
        .await;
    assert_eq!(res.status(), 403);
    let second = apply(&app, "发票申领", "assist").await;
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT n.body FROM notifications n JOIN accounts a ON a.id = n.account_id
         WHERE a.login_name = 'agent04' AND n.channel = 'sms' AND n.kind = 'staff_alert'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains(&second));
}

fn beijing(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().into()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn timed_alerts_go_out_once_however_many_processes_run_the_job(pool: PgPool) {
    let app = spawn(pool).await;
    let cal = app::calendar::ssr::load(&app.pool).await.unwrap();
    let (late, amber, today) = (
        apply(&app, "发票申领", "assist").await,
        apply(&app, "发票申领", "assist").await,
        apply(&app, "发票申领", "assist").await,
    );
    // Only these cases are open with clocks, each made responsible to agent01 and timed so.
    sqlx::query("UPDATE cases SET due_at = NULL, warn_at = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    for (number, due, warn) in [
        // Due Friday 27 Nov; the next working day, Monday 30 Nov, has ended by Tuesday.
        (
            &late,
            "2026-11-27T23:59:59+08:00",
            "2026-11-26T00:00:00+08:00",
        ),
        (
            &amber,
            "2026-12-03T23:59:59+08:00",
            "2026-12-01T00:00:00+08:00",
        ),
        (
            &today,
            "2026-12-01T23:59:59+08:00",
            "2026-12-01T00:00:00+08:00",
        ),
    ] {
        sqlx::query(
            "UPDATE cases SET due_at = $2, warn_at = $3,
                 agent_id = (SELECT id FROM accounts WHERE login_name = 'agent01')
             WHERE number = $1",
        )
        .bind(number)
        .bind(beijing(due))
        .bind(beijing(warn))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    // At night nothing goes out.
    let night = beijing("2026-12-01T06:00:00+08:00");
    assert_eq!(
        app::case_log::alerts::run_due(&app.pool, &cal, night)
            .await
            .unwrap(),
        0
    );
    // Two processes at once, then a third pass: every alert once.
    let now = beijing("2026-12-01T10:00:00+08:00");
    let (a, b) = tokio::join!(
        app::case_log::alerts::run_due(&app.pool, &cal, now),
        app::case_log::alerts::run_due(&app.pool, &cal, now)
    );
    let again = app::case_log::alerts::run_due(&app.pool, &cal, now)
        .await
        .unwrap();
    // amber ×2 (amber, today), breach, escalation, digest.
    assert_eq!(a.unwrap() + b.unwrap() + again, 5);
    assert_eq!(again, 0);

    let amber_alerts = alerts(&app, "agent01", "staff_amber").await;
    assert_eq!(amber_alerts.len(), 2, "{amber_alerts:?}");
    let breached = alerts(&app, "agent01", "staff_breach").await;
    assert_eq!(breached.len(), 1);
    assert!(breached[0].contains(&late));
    // Breaches also to the unit's manager; the escalation to supervisors.
    assert_eq!(alerts(&app, "manager01", "staff_breach").await.len(), 1);
    assert!(alerts(&app, "agent01", "staff_escalated").await.is_empty());
    let escalated = alerts(&app, "supervisor01", "staff_escalated").await;
    assert_eq!(escalated.len(), 1);
    assert!(escalated[0].contains(&late));
    let digest = alerts(&app, "agent01", "staff_digest").await;
    assert_eq!(digest.len(), 1);
    assert!(
        digest[0].contains(&today) && digest[0].contains("1件"),
        "{digest:?}"
    );
}

/// A fake of Tencent Cloud SMS: checks each request's signature as the provider does and
/// answers by the phone number: ...0001 sent, ...0002 a wrong number (per number), ...0003 over
/// the limit (per request).
async fn fake_gateway(secret_id: &'static str, secret_key: &'static str) -> String {
    use axum::http::HeaderMap;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let host = addr.to_string();
    let route = axum::routing::post(move |headers: HeaderMap, body: String| {
        let host = host.clone();
        async move {
            let h = |n: &str| headers[n].to_str().unwrap().to_string();
            let timestamp: i64 = h("x-tc-timestamp").parse().unwrap();
            let expected = server::sms::sign(secret_id, secret_key, &host, &body, timestamp);
            if h("authorization") != expected
                || h("x-tc-action") != "SendSms"
                || h("x-tc-version") != "2021-01-11"
            {
                return axum::Json(json!({"Response": {"Error": {
                    "Code": "AuthFailure.SignatureFailure",
                    "Message": "The provided credentials could not be validated."},
                    "RequestId": "r0"}}));
            }
            let req: Value = serde_json::from_str(&body).unwrap();
            let phone = req["PhoneNumberSet"][0].as_str().unwrap().to_string();
            assert_eq!(req["SignName"], "内乡县政务服务");
            axum::Json(match &phone[phone.len() - 4..] {
                "0003" => json!({"Response": {"Error": {
                    "Code": "LimitExceeded.PhoneNumberDailyLimit",
                    "Message": "单个手机号日下发短信条数超过设定的上限"}, "RequestId": "r3"}}),
                "0002" => json!({"Response": {"SendStatusSet": [{
                    "SerialNo": "", "PhoneNumber": phone, "Fee": 0,
                    "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                    "Message": "手机号格式错误"}], "RequestId": "r2"}}),
                _ => json!({"Response": {"SendStatusSet": [{
                    "SerialNo": "2640:1234567890", "PhoneNumber": phone, "Fee": 1,
                    "Code": "Ok", "Message": "send success",
                    "TemplateParamSet": req["TemplateParamSet"]}], "RequestId": "r1"}}),
            })
        }
    });
    tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().route("/", route))
            .await
            .unwrap();
    });
    format!("http://{addr}/")
}

fn tencent(endpoint: String, secret_key: &str) -> server::sms::TencentSender {
    server::sms::TencentSender::new(server::sms::TencentConfig {
        endpoint,
        region: "ap-guangzhou".into(),
        secret_id: "AKIDtest".into(),
        secret_key: secret_key.into(),
        app_id: "1400000000".into(),
        sign_name: "内乡县政务服务".into(),
        notice_template: "100001".into(),
        code_template: "100002".into(),
    })
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_tencent_gateway_signs_requests_and_its_answers_decide_retry_or_failure(pool: PgPool) {
    let app = spawn(pool).await;
    let endpoint = fake_gateway("AKIDtest", "secret-key").await;
    let sender = tencent(endpoint.clone(), "secret-key");

    // A code goes as the code template's parameters; a notice as the text without the sign.
    let code = Sms {
        phone: "13800000001",
        template: "verification_code",
        body: "【内乡县政务服务】您的验证码为123456，5分钟内有效。",
    };
    assert_eq!(
        sender.payload(&code).unwrap()["TemplateParamSet"],
        json!(["123456", "5"])
    );
    assert_eq!(
        sender.send(&code).await,
        Ok(Some("2640:1234567890".to_string()))
    );
    // A wrong secret: the provider refuses the signature; worth retrying once fixed.
    let wrong = tencent(endpoint.clone(), "not-the-key");
    match wrong.send(&code).await {
        Err(SmsError::Retry(e)) => assert!(e.starts_with("AuthFailure.SignatureFailure"), "{e}"),
        other => panic!("{other:?}"),
    }

    // Through the outbox: sent with the provider's id, refused for good, or kept for later.
    sqlx::query("DELETE FROM notifications WHERE channel = 'sms'")
        .execute(&app.pool)
        .await
        .unwrap();
    for phone in ["13800000001", "13800000002", "13800000003"] {
        app::notifications::ssr::queue_sms(
            &app.pool,
            None,
            None,
            phone,
            "received",
            "【内乡县政务服务】您的帮办代办申请已提交。",
        )
        .await
        .unwrap();
    }
    assert_eq!(send_due(&app.pool, &sender, 10).await.unwrap(), 1);
    let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT phone, status, provider_ref, last_error FROM notifications
         WHERE channel = 'sms' ORDER BY phone",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows[0].1, "sent");
    assert_eq!(rows[0].2.as_deref(), Some("2640:1234567890"));
    assert_eq!(rows[1].1, "failed");
    assert!(rows[1]
        .3
        .as_deref()
        .unwrap()
        .starts_with("InvalidParameterValue.IncorrectPhoneNumber"));
    assert_eq!(rows[2].1, "pending");
    assert!(rows[2]
        .3
        .as_deref()
        .unwrap()
        .starts_with("LimitExceeded.PhoneNumberDailyLimit"));
    // Nothing due now: the failed one is never tried again, the limited one waits.
    assert_eq!(send_due(&app.pool, &sender, 10).await.unwrap(), 0);
}
