//! Notifications: an outbox in PostgreSQL of SMS and in-app messages with templated Chinese
//! texts. A worker (server `jobs`) sends due SMS through an `SmsSender`, retrying with backoff;
//! a message is never dropped, only retried later.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The texts applicants receive, one per step that concerns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    Received,
    MaterialsMissing,
    HandedIn,
    Accepted,
    ResultReady,
    Delivered,
    Withdrawn,
    MaterialsComplete,
    SpecialStep,
    Delivering,
    Terminated,
    Forwarded,
    TakenUp,
    HandedOver,
    SpecialStepEnded,
    PhoneRegistered,
    WindowRejected,
    Guided,
    /// A bad rating's rectification is recorded: the applicant may rate again.
    Rectified,
}

impl Template {
    pub fn as_str(self) -> &'static str {
        match self {
            Template::Received => "received",
            Template::MaterialsMissing => "materials_missing",
            Template::HandedIn => "handed_in",
            Template::Accepted => "accepted",
            Template::ResultReady => "result_ready",
            Template::Delivered => "delivered",
            Template::Withdrawn => "withdrawn",
            Template::MaterialsComplete => "materials_complete",
            Template::SpecialStep => "special_step",
            Template::Delivering => "delivering",
            Template::Terminated => "terminated",
            Template::Forwarded => "forwarded",
            Template::TakenUp => "taken_up",
            Template::HandedOver => "handed_over",
            Template::SpecialStepEnded => "special_step_ended",
            Template::PhoneRegistered => "phone_registered",
            Template::WindowRejected => "window_rejected",
            Template::Guided => "guided",
            Template::Rectified => "rectified",
        }
    }

    /// The message for case `number` of item `item`.
    pub fn render(self, number: &str, item: &str) -> String {
        let body = match self {
            Template::Received => format!(
                "您的帮办代办申请{number}（{item}）已提交，帮办代办员将在1个工作日内审核材料。"
            ),
            Template::MaterialsMissing => {
                format!("您的申请{number}（{item}）缺少材料，请登录查看一次性告知书并补齐。")
            }
            Template::HandedIn => {
                format!("您的申请{number}（{item}）材料已由帮办代办员递交窗口。")
            }
            Template::Accepted => format!("您的申请{number}（{item}）已由窗口受理。"),
            Template::ResultReady => {
                format!("您的申请{number}（{item}）已办结出证，将按您选择的方式送达。")
            }
            Template::Delivered => format!(
                "您的申请{number}（{item}）办理结果已送达。欢迎登录对本次服务评价。"
            ),
            Template::Withdrawn => format!("您的申请{number}（{item}）已撤回。"),
            Template::MaterialsComplete => {
                format!("您的申请{number}（{item}）材料已审核齐全，将按时限递交窗口。")
            }
            Template::SpecialStep => format!(
                "您的申请{number}（{item}）进入特殊环节（专家评审、现场勘察或公示），详情请登录查看。"
            ),
            Template::Delivering => {
                format!("您的申请{number}（{item}）办理结果正在送达，详情请登录查看。")
            }
            Template::Terminated => {
                format!("您的申请{number}（{item}）已终止办理，原因请登录查看，欢迎对本次服务评价。")
            }
            Template::HandedOver => format!(
                "您的申请{number}（{item}）已完成材料交接并签署委托协议，代办员将在2个工作日内递交窗口。"
            ),
            Template::SpecialStepEnded => {
                format!("您的申请{number}（{item}）特殊环节已结束，继续审批办理。")
            }
            Template::TakenUp => {
                format!("您的申请{number}（{item}）已由帮办代办员接收，正在审核材料。")
            }
            Template::Forwarded => {
                format!("您的申请{number}（{item}）已转报上级便民服务中心办理。")
            }
            Template::PhoneRegistered => format!(
                "您电话预约的帮办代办申请{number}（{item}）已登记。请用本手机号登录帮办平台，核对申请表并签名确认（或到场时签名），签名后方可递交窗口。"
            ),
            Template::WindowRejected => format!(
                "您的申请{number}（{item}）窗口未予受理，帮办代办员正在重新审核，原因请登录查看。"
            ),
            Template::Guided => {
                format!("您申请的事前辅导（{item}，{number}）已完成，辅导意见请登录查看，欢迎评价。")
            }
            Template::Rectified => format!(
                "您对申请{number}（{item}）的评价已回访并整改，整改情况请登录查看，欢迎再次评价。"
            ),
        };
        signed(&body)
    }
}

/// A text as it goes out by SMS: the sign name (签名) first.
pub fn signed(body: &str) -> String {
    format!("【内乡县政务服务】{body}")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: String,
    pub phone: Option<String>,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: String,
    /// The gateway's id of a sent text (its delivery receipt).
    pub provider_ref: Option<String>,
}

#[server(endpoint = "admin/outbox")]
pub async fn outbox() -> Result<Vec<OutboxRow>, AppError> {
    crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    ssr::recent(&crate::state::pool()?).await
}

/// How a message stands, in words: queued, sent (the gateway took it), or failed for good.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "sent" => "已发送",
        "failed" => "发送失败",
        _ => "排队待发送",
    }
}

/// One message in a person's inbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: i64,
    pub body: String,
    pub case_number: Option<String>,
    pub at: String,
    pub read: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    pub items: Vec<InboxItem>,
    /// Staff: whether alerts also come by SMS, and the (masked) number they would go to.
    pub sms_alerts: Option<(bool, Option<String>)>,
}

#[server(endpoint = "inbox/list")]
pub async fn load_inbox() -> Result<Inbox, AppError> {
    let user = crate::accounts::ssr::require_user().await?;
    ssr::inbox(&crate::state::pool()?, &user).await
}

/// Marks message `id` read, or every message when `id` is empty. A plain form posts here; the
/// answer sends the browser back to the inbox.
#[server(endpoint = "inbox/read")]
pub async fn mark_read(id: Option<i64>) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_user().await?;
    let pool = crate::state::pool()?;
    // Only the person's own messages: another's id marks nothing.
    sqlx::query(
        "UPDATE notifications SET read_at = now()
         WHERE account_id = $1 AND channel = 'in_app' AND read_at IS NULL
           AND ($2::bigint IS NULL OR id = $2)",
    )
    .bind(user.id)
    .bind(id)
    .execute(&pool)
    .await?;
    // The page this redirects to draws the header's count: not from before the change, even if
    // this process has not heard the change announced yet.
    crate::held::changed(&pool, crate::live::ssr::INBOX_CHANNEL);
    leptos_axum::redirect("/inbox");
    Ok(())
}

/// Staff choose whether alerts also come by SMS (in the app they always do).
#[server(endpoint = "inbox/sms_alerts")]
pub async fn set_sms_alerts(on: String) -> Result<(), AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[
        Role::Agent,
        Role::Manager,
        Role::Supervisor,
        Role::Admin,
    ])
    .await?;
    let on = match on.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::field("on", "请选择是否接收短信提醒")),
    };
    let pool = crate::state::pool()?;
    let phone: String = sqlx::query_scalar("SELECT phone FROM accounts WHERE id = $1")
        .bind(user.id)
        .fetch_one(&pool)
        .await?;
    if on && shared::MobilePhone::parse(&phone).is_err() {
        return Err(AppError::field(
            "on",
            "您的账号没有登记手机号，无法接收短信提醒，请联系系统管理员登记",
        ));
    }
    sqlx::query("UPDATE accounts SET sms_alerts = $2 WHERE id = $1")
        .bind(user.id)
        .bind(on)
        .execute(&pool)
        .await?;
    leptos_axum::redirect("/inbox");
    Ok(())
}

/// `/inbox`: a person's messages, newest first, each with its case; unread ones marked.
#[component]
pub fn InboxPage() -> impl IntoView {
    let inbox = Resource::new(|| (), |_| load_inbox());
    view! {
        <section class="card wide inbox" data-live="inbox" data-live-inbox="">
            <h1>"消息"</h1>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    inbox.await.map(|inbox| {
                        let unread = inbox.items.iter().filter(|i| !i.read).count();
                        view! {
                            {inbox.sms_alerts.map(|(on, phone)| view! { <SmsAlerts on phone/> })}
                            {(unread > 0).then(|| view! {
                                <form method="post" action="/api/inbox/read" class="inline-form">
                                    <button type="submit" class="button">{format!("全部标为已读（{unread}条未读）")}</button>
                                </form>
                            })}
                            {if inbox.items.is_empty() {
                                view! { <p class="empty">"暂无消息。"</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="messages">
                                        {inbox.items.into_iter().map(|m| view! { <Message m/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }
                    })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Message(m: InboxItem) -> impl IntoView {
    let id = m.id.to_string();
    let key = id.clone();
    view! {
        <li class="message" class:unread=!m.read data-message=key>
            <p class="message-meta">
                {(!m.read).then(|| view! { <span class="badge unread-mark">"未读"</span>" " })}
                <time>{m.at}</time>
            </p>
            <p class="message-body">{m.body}</p>
            // A div: a form may not sit inside a paragraph (the parser would close it).
            <div class="message-actions">
                {m.case_number.map(|n| view! {
                    <a class="button" href=format!("/cases/{n}")>{format!("查看代办件 {n}")}</a>" "
                })}
                {(!m.read).then(|| view! {
                    <form method="post" action="/api/inbox/read" class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button">"标为已读"</button>
                    </form>
                })}
            </div>
        </li>
    }
}

#[component]
fn SmsAlerts(on: bool, phone: Option<String>) -> impl IntoView {
    view! {
        <form method="post" action="/api/inbox/sms_alerts" class="sms-alerts">
            <p>
                {if on {
                    format!("提醒同时以短信发到 {}。", phone.unwrap_or_default())
                } else {
                    "提醒只在本站消息中显示。".to_string()
                }}
            </p>
            <input type="hidden" name="on" value=(!on).to_string()/>
            <button type="submit" class="button">{if on { "不再接收短信提醒" } else { "同时接收短信提醒" }}</button>
        </form>
    }
}

/// `/admin/outbox`: the latest messages and whether they went out.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| outbox());
    view! {
        <section class="card wide">
            <h1>"通知发件箱"</h1>
            <p class="hint">"短信经网关发送：网关暂时失败的自动重试（间隔逐次加长），不会丢失；网关拒收的（号码错误、模板未审核等）标为发送失败，不再重试。站内消息即时送达。"</p>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    rows.await.map(|rows| view! {
                        <table class="data-table outbox">
                            <thead><tr><th>"时间"</th><th>"渠道"</th><th>"手机号"</th><th>"内容"</th><th>"状态"</th><th>"尝试"</th><th>"最近错误"</th><th>"网关回执"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td>{r.created_at}</td>
                                        <td>{if r.channel == "sms" { "短信" } else { "站内" }}</td>
                                        <td>{r.phone.unwrap_or_default()}</td>
                                        <td>{r.body}</td>
                                        <td class=format!("sms-{}", r.status)>{status_label(&r.status)}</td>
                                        <td>{r.attempts}</td>
                                        <td>{r.last_error.unwrap_or_default()}</td>
                                        <td>{r.provider_ref.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })
                })}
            </Transition>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{Inbox, InboxItem, OutboxRow, Template};
    use crate::accounts::ssr::User;
    use crate::error::AppError;
    use sqlx::{PgPool, Postgres, Transaction};

    /// Queues the message to the case's applicant: in-app at once, SMS to the handler's phone
    /// through the worker. Part of the caller's transaction, so a step and its message commit
    /// together.
    pub async fn notify_applicant(
        tx: &mut Transaction<'_, Postgres>,
        case_id: i64,
        template: Template,
    ) -> Result<(), AppError> {
        notify_applicant_with_link(tx, case_id, template, None).await
    }

    /// The same, with a link to the page where the applicant acts on the message.
    pub async fn notify_applicant_with_link(
        tx: &mut Transaction<'_, Postgres>,
        case_id: i64,
        template: Template,
        link: Option<&str>,
    ) -> Result<(), AppError> {
        let (applicant, number, item): (i64, String, String) = sqlx::query_as(
            "SELECT c.applicant_id, c.number, i.name
             FROM cases c JOIN service_items i ON i.id = c.item_id WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut **tx)
        .await?;
        let case = Addressee {
            case_id,
            applicant,
            number: &number,
            item: &item,
        };
        notify_applicant_of(tx, &case, template, link).await
    }

    /// A case as its applicant's messages name it.
    pub struct Addressee<'a> {
        pub case_id: i64,
        pub applicant: i64,
        pub number: &'a str,
        pub item: &'a str,
    }

    /// Queues an SMS to each `(account_id, phone)` of `sms`, of case `$case` with template
    /// `$template` and text `$body`; `$secret` are the secret templates (each a parameter like
    /// `"$2"`). The one statement that queues texts (a macro, so the statements that end with it
    /// are whole at compile time, not formatted per message).
    macro_rules! queue_sms_sql {
        ($case:literal, $template:literal, $body:literal, $secret:literal) => {
            concat!(
                "INSERT INTO notifications (account_id, case_id, channel, phone, template, body, kind)
                 SELECT account_id, ", $case, ", 'sms', phone, ", $template, ", ", $body, ",
                        CASE WHEN ", $template, " = ANY(", $secret, ") THEN 'code' ELSE 'applicant' END
                 FROM sms"
            )
        };
    }

    /// The applicant's message as common table expressions of a statement (a case step writes
    /// it with the step): in-app, and SMS when the phone may be written to; none when the
    /// template parameter is NULL. The SMS goes to the account's own phone, and only when that
    /// phone was proven the owner's (or an agent took it down from the person for this case):
    /// never to a number typed into an online form. `$unclaimed` is `accounts::ssr::UNCLAIMED`.
    macro_rules! applicant_message {
        ($account:literal, $case:literal, $template:literal, $body:literal, $unclaimed:literal,
         $secret:literal) => {
            concat!(
                "addressee AS (
                   SELECT id, phone, phone_verified_at IS NOT NULL OR password_hash = ", $unclaimed,
                "    AS reachable
                   FROM accounts WHERE id = ", $account, " AND ", $template, "::text IS NOT NULL),
                 in_app AS (
                   INSERT INTO notifications (account_id, case_id, channel, phone, template, body, status, sent_at)
                   SELECT id, ", $case, ", 'in_app', NULL, ", $template, ", ", $body, ", 'sent', now()
                   FROM addressee),
                 sms AS (SELECT id AS account_id, phone FROM addressee WHERE reachable),
                 texted AS (",
                $crate::notifications::ssr::queue_sms_sql!($case, $template, $body, $secret),
                ")"
            )
        };
    }
    pub(crate) use {applicant_message, queue_sms_sql};

    /// The text of the applicant's message, with the page to act on it when there is one.
    pub fn applicant_text(case: &Addressee<'_>, template: Template, link: Option<&str>) -> String {
        let mut body = template.render(case.number, case.item);
        if let Some(link) = link {
            body.push(' ');
            body.push_str(link);
        }
        body
    }

    /// The applicant's message for a case the caller already holds, in one statement.
    pub async fn notify_applicant_of(
        tx: &mut Transaction<'_, Postgres>,
        case: &Addressee<'_>,
        template: Template,
        link: Option<&str>,
    ) -> Result<(), AppError> {
        sqlx::query(concat!(
            "WITH ",
            applicant_message!("$1", "$2", "$3", "$4", "$5", "$6"),
            " SELECT"
        ))
        .bind(case.applicant)
        .bind(case.case_id)
        .bind(template.as_str())
        .bind(applicant_text(case, template, link))
        .bind(crate::accounts::ssr::UNCLAIMED)
        .bind(SECRET_TEMPLATES)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// What staff are told, and when: each alert is in the app at once and by SMS for those who
    /// chose it. Part of the caller's transaction.
    pub async fn notify_staff(
        tx: &mut Transaction<'_, Postgres>,
        recipients: &[i64],
        case_id: Option<i64>,
        template: &str,
        body: &str,
    ) -> Result<(), AppError> {
        if recipients.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO notifications (account_id, case_id, channel, phone, template, body, status,
                                        sent_at, kind)
             SELECT a.id, $2, 'in_app', NULL, $3, $4, 'sent', now(), 'staff_alert'
             FROM accounts a WHERE a.id = ANY($1) AND a.disabled_at IS NULL
             UNION ALL
             SELECT a.id, $2, 'sms', a.phone, $3, $5, 'pending', NULL, 'staff_alert'
             FROM accounts a WHERE a.id = ANY($1) AND a.disabled_at IS NULL AND a.sms_alerts
                 AND a.phone <> ''",
        )
        .bind(recipients)
        .bind(case_id)
        .bind(template)
        .bind(body)
        // Only the text carries the sign name; in the app it is plain.
        .bind(super::signed(body))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// How many in-app messages `account` has not read: the header's count.
    pub async fn unread<'e, E: sqlx::PgExecutor<'e>>(
        db: E,
        account: i64,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT count(*) FROM notifications
             WHERE account_id = $1 AND channel = 'in_app' AND read_at IS NULL",
        )
        .bind(account)
        .fetch_one(db)
        .await
    }

    type MessageRow = (
        i64,
        String,
        Option<String>,
        chrono::DateTime<chrono::Utc>,
        bool,
    );

    pub async fn inbox(pool: &PgPool, user: &User) -> Result<Inbox, AppError> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "SELECT n.id, n.body, c.number, n.created_at, n.read_at IS NOT NULL
                 FROM notifications n LEFT JOIN cases c ON c.id = n.case_id
                 WHERE n.account_id = $1 AND n.channel = 'in_app'
                 ORDER BY n.id DESC LIMIT 100",
        )
        .bind(user.id)
        .fetch_all(pool)
        .await?;
        let sms_alerts = if user.role() == shared::Role::Applicant {
            None
        } else {
            let (on, phone): (bool, String) =
                sqlx::query_as("SELECT sms_alerts, phone FROM accounts WHERE id = $1")
                    .bind(user.id)
                    .fetch_one(pool)
                    .await?;
            Some((
                on,
                shared::MobilePhone::parse(&phone).ok().map(|p| p.masked()),
            ))
        };
        Ok(Inbox {
            items: rows
                .into_iter()
                .map(|(id, body, case_number, at, read)| InboxItem {
                    id,
                    body,
                    case_number,
                    at: crate::ui::beijing_time(at)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    read,
                })
                .collect(),
            sms_alerts,
        })
    }

    /// Queues one SMS for the worker; the only way a text is ever sent.
    pub async fn queue_sms(
        db: impl sqlx::PgExecutor<'_>,
        account_id: Option<i64>,
        case_id: Option<i64>,
        phone: &str,
        template: &str,
        body: &str,
    ) -> Result<(), AppError> {
        sqlx::query(concat!(
            "WITH sms AS (SELECT $1::bigint AS account_id, $5::text AS phone) ",
            queue_sms_sql!("$2", "$3", "$4", "$6")
        ))
        .bind(account_id)
        .bind(case_id)
        .bind(template)
        .bind(body)
        .bind(phone)
        .bind(SECRET_TEMPLATES)
        .execute(db)
        .await?;
        Ok(())
    }

    /// Templates whose text is a secret for the recipient alone: the outbox never shows it.
    pub const SECRET_TEMPLATES: &[&str] = &["verification_code"];

    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        channel: String,
        phone: Option<String>,
        template: String,
        body: String,
        status: String,
        attempts: i32,
        last_error: Option<String>,
        created_at: chrono::DateTime<chrono::Utc>,
        provider_ref: Option<String>,
    }

    pub async fn recent(pool: &PgPool) -> Result<Vec<OutboxRow>, AppError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, channel, phone, template, body, status, attempts, last_error, created_at,
                    provider_ref
             FROM notifications ORDER BY id DESC LIMIT 200",
        )
        .fetch_all(pool)
        .await?;
        // Whoever reads the outbox sees whether messages went out, not to whom in full nor the
        // codes in them.
        Ok(rows
            .into_iter()
            .map(|r| OutboxRow {
                id: r.id,
                channel: r.channel,
                phone: r.phone.map(|p| match shared::MobilePhone::parse(&p) {
                    Ok(p) => p.masked(),
                    Err(_) => "***".into(),
                }),
                body: if SECRET_TEMPLATES.contains(&r.template.as_str()) {
                    "（验证码短信，内容不显示）".into()
                } else {
                    r.body
                },
                provider_ref: r.provider_ref,
                status: r.status,
                attempts: r.attempts,
                last_error: r.last_error,
                created_at: crate::ui::beijing_time(r.created_at)
                    .format("%m-%d %H:%M:%S")
                    .to_string(),
            })
            .collect())
    }

    /// One text to send: `template` names the kind of message (a gateway maps it to its
    /// approved template), `body` is our full text with the sign name in front.
    pub struct Sms<'a> {
        pub phone: &'a str,
        pub template: &'a str,
        pub body: &'a str,
    }

    /// Why a text did not go out: worth trying again later, or never (a wrong number, a
    /// template the provider does not know).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SmsError {
        Retry(String),
        Permanent(String),
    }

    /// Sends SMS. The development sender writes to a file; a gateway implements the same trait
    /// and answers with its own id of the message.
    pub trait SmsSender: Send + Sync {
        fn send(
            &self,
            sms: &Sms<'_>,
        ) -> impl std::future::Future<Output = Result<Option<String>, SmsError>> + Send;
    }

    /// The development sender: appends each message as a JSON line to a file (by default
    /// `data/sms-outbox.jsonl`), where a developer or a browser test reads the codes. The log
    /// gets the masked number only.
    pub struct FileSender {
        pub path: std::path::PathBuf,
    }

    impl SmsSender for FileSender {
        async fn send(&self, sms: &Sms<'_>) -> Result<Option<String>, SmsError> {
            self.write(sms.phone, sms.body)
                .await
                .map(|()| None)
                .map_err(SmsError::Retry)
        }
    }

    impl FileSender {
        async fn write(&self, phone: &str, body: &str) -> Result<(), String> {
            use tokio::io::AsyncWriteExt;
            let line = serde_json::json!({
                "phone": phone,
                "body": body,
                "at": chrono::Utc::now().to_rfc3339(),
            })
            .to_string()
                + "\n";
            if let Some(dir) = self.path.parent() {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .await
                .map_err(|e| e.to_string())?;
            file.write_all(line.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            let masked =
                shared::MobilePhone::parse(phone).map_or_else(|_| "***".into(), |p| p.masked());
            tracing::info!(phone = %masked, "SMS written to the development outbox file");
            Ok(())
        }
    }

    /// Delay before the next try after `attempts` failures: 30 s, 1, 2, 4 … minutes, at most 1 h.
    pub fn backoff_seconds(attempts: i32) -> i64 {
        let exp = attempts.clamp(1, 8) as u32 - 1;
        (30_i64 * 2_i64.pow(exp)).min(3600)
    }

    /// Sends up to `batch` due SMS; returns how many went out. Rows are locked while sending so
    /// several workers never send one message twice.
    pub async fn send_due<S: SmsSender>(
        pool: &PgPool,
        sender: &S,
        batch: i64,
    ) -> Result<usize, AppError> {
        let mut tx = pool.begin().await?;
        let due: Vec<(i64, String, String, String, i32)> = sqlx::query_as(
            "SELECT id, phone, template, body, attempts FROM notifications
             WHERE status = 'pending' AND channel = 'sms' AND next_attempt_at <= now()
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        let mut sent = 0;
        for (id, phone, template, body, attempts) in due {
            let sms = Sms {
                phone: &phone,
                template: &template,
                body: &body,
            };
            match sender.send(&sms).await {
                Ok(reference) => {
                    sqlx::query(
                        "UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1,
                             last_error = NULL, provider_ref = $2 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(reference)
                    .execute(&mut *tx)
                    .await?;
                    sent += 1;
                }
                Err(SmsError::Permanent(e)) => {
                    tracing::warn!(notification = id, error = %e, "SMS refused for good");
                    sqlx::query(
                        "UPDATE notifications SET status = 'failed', attempts = attempts + 1,
                             last_error = $2 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(e.chars().take(200).collect::<String>())
                    .execute(&mut *tx)
                    .await?;
                }
                Err(SmsError::Retry(e)) => {
                    tracing::warn!(notification = id, error = %e, "SMS failed, will retry");
                    sqlx::query(
                        "UPDATE notifications SET attempts = attempts + 1, last_error = $2,
                             next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
                    )
                    .bind(id)
                    .bind(e.chars().take(200).collect::<String>())
                    .bind(backoff_seconds(attempts + 1) as f64)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(sent)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn backoff_grows_and_is_capped() {
            let delays: Vec<i64> = (1..=10).map(super::backoff_seconds).collect();
            assert_eq!(&delays[..5], &[30, 60, 120, 240, 480]);
            assert!(delays.windows(2).all(|w| w[0] <= w[1]));
            assert_eq!(delays[9], 3600);
        }
    }
}
