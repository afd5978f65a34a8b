//! The filing workflow (登记备案) shared by item lists and agent teams: submit a draft, then a
//! supervisor of the county center files it (superseding the unit's current version) or returns
//! it with a reason. Every step lands in `filing_events`.

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::accounts::ssr::User;
    use crate::error::AppError;
    use shared::filing::FilingStatus;
    use sqlx::{PgPool, Postgres, Transaction};

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Subject {
        ItemList,
        AgentTeam,
        Package,
    }

    impl Subject {
        fn as_str(self) -> &'static str {
            match self {
                Subject::ItemList => "item_list",
                Subject::AgentTeam => "agent_team",
                Subject::Package => "package",
            }
        }

        pub fn parse(s: &str) -> Option<Subject> {
            [Subject::ItemList, Subject::AgentTeam, Subject::Package]
                .into_iter()
                .find(|x| x.as_str() == s)
        }

        fn table(self) -> &'static str {
            match self {
                Subject::ItemList => "item_lists",
                Subject::AgentTeam => "agent_teams",
                Subject::Package => "packages",
            }
        }

        /// How two versions of one unit's subject are recognised (`t` and `me`).
        fn same_unit(self) -> &'static str {
            match self {
                Subject::ItemList => "t.department_id = me.department_id",
                Subject::AgentTeam => {
                    "t.center_id = me.center_id AND t.department_id IS NOT DISTINCT FROM me.department_id"
                }
                Subject::Package => "t.lineage = me.lineage",
            }
        }

        pub fn noun(self) -> &'static str {
            match self {
                Subject::ItemList => "清单",
                Subject::AgentTeam => "团队",
                Subject::Package => "“一件事”",
            }
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Action {
        DraftStarted,
        Imported,
        Submitted,
        Filed,
        Returned,
    }

    impl Action {
        fn as_str(self) -> &'static str {
            match self {
                Action::DraftStarted => "draft_started",
                Action::Imported => "imported",
                Action::Submitted => "submitted",
                Action::Filed => "filed",
                Action::Returned => "returned",
            }
        }
    }

    pub async fn record(
        tx: &mut Transaction<'_, Postgres>,
        subject: Subject,
        id: i64,
        action: Action,
        actor: i64,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO filing_events (subject, subject_id, action, actor_id, reason) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(subject.as_str())
        .bind(id)
        .bind(action.as_str())
        .bind(actor)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Submits a version the caller has locked and may edit.
    pub async fn submit(
        tx: &mut Transaction<'_, Postgres>,
        subject: Subject,
        id: i64,
        status: FilingStatus,
        user: &User,
    ) -> Result<(), AppError> {
        if !status.editable() {
            return Err(AppError::Rejected(format!(
                "{}当前为“{}”，不能提交",
                subject.noun(),
                status.label()
            )));
        }
        let sql = format!(
            "UPDATE {} SET status = 'submitted', submitted_by = $2, submitted_at = now(), returned_reason = NULL
             WHERE id = $1",
            subject.table()
        );
        sqlx::query(&sql)
            .bind(id)
            .bind(user.id)
            .execute(&mut **tx)
            .await?;
        record(tx, subject, id, Action::Submitted, user.id, None).await?;
        tracing::info!(
            manager = user.id,
            subject = subject.as_str(),
            id,
            "submitted for filing"
        );
        Ok(())
    }

    pub enum Decision<'a> {
        File,
        Return { reason: &'a str },
    }

    /// The county center's decision on a submitted version. Filing supersedes the unit's current
    /// version and publishes this one; nobody files what they submitted themselves.
    pub async fn decide(
        pool: &PgPool,
        user: &User,
        subject: Subject,
        id: i64,
        decision: Decision<'_>,
    ) -> Result<(), AppError> {
        let table = subject.table();
        let mut tx = pool.begin().await?;
        let row: Option<(crate::stored::Known<FilingStatus>, Option<i64>)> = sqlx::query_as(
            &format!("SELECT status, submitted_by FROM {table} WHERE id = $1 FOR UPDATE"),
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (status, submitted_by) = row.ok_or(AppError::NotFound)?;
        let status = status.0;
        if status != FilingStatus::Submitted {
            return Err(AppError::Rejected(format!(
                "{}当前为“{}”，不在待备案状态",
                subject.noun(),
                status.label()
            )));
        }
        let reason = match decision {
            Decision::File => {
                if submitted_by == Some(user.id) {
                    return Err(AppError::Rejected(format!(
                        "不能备案自己提交的{}",
                        subject.noun()
                    )));
                }
                sqlx::query(&format!(
                    "UPDATE {table} t SET status = 'superseded' FROM {table} me
                     WHERE me.id = $1 AND t.status = 'filed' AND {}",
                    subject.same_unit()
                ))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                None
            }
            Decision::Return { reason } => Some(reason),
        };
        sqlx::query(&format!(
            "UPDATE {table} SET status = CASE WHEN $3::text IS NULL THEN 'filed' ELSE 'returned' END,
                 decided_by = $2, decided_at = now(), returned_reason = $3
             WHERE id = $1"
        ))
        .bind(id)
        .bind(user.id)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        let action = if reason.is_some() {
            Action::Returned
        } else {
            Action::Filed
        };
        record(&mut tx, subject, id, action, user.id, reason).await?;
        tx.commit().await?;
        tracing::info!(
            supervisor = user.id,
            subject = subject.as_str(),
            id,
            returned = reason.is_some(),
            "filing decided"
        );
        Ok(())
    }

    /// Who did what, for the history shown next to a version.
    pub async fn history(
        pool: &PgPool,
        subject: Subject,
        id: i64,
    ) -> Result<Vec<super::FilingEvent>, AppError> {
        let rows: Vec<(
            String,
            String,
            Option<String>,
            chrono::DateTime<chrono::Utc>,
        )> = sqlx::query_as(
            "SELECT e.action, a.display_name, e.reason, e.at FROM filing_events e
                 JOIN accounts a ON a.id = e.actor_id
                 WHERE e.subject = $1 AND e.subject_id = $2 ORDER BY e.at, e.id",
        )
        .bind(subject.as_str())
        .bind(id)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(action, actor, reason, at)| super::FilingEvent {
                action: match action.as_str() {
                    "draft_started" => "新建草稿",
                    "imported" => "导入清单",
                    "submitted" => "提交备案",
                    "filed" => "备案公示",
                    _ => "退回修改",
                }
                .to_string(),
                actor,
                reason,
                at: crate::ui::beijing_time(at)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            })
            .collect())
    }
}

use crate::error::AppError;
use crate::ui::{action_error, FieldMessage};
use leptos::prelude::*;

/// The county center files a submitted list, team or package (`subject`: item_list,
/// agent_team or package).
#[server(endpoint = "filing/file")]
pub async fn file_version(subject: String, id: i64) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let subject = ssr::Subject::parse(&subject).ok_or(AppError::NotFound)?;
    ssr::decide(
        &crate::state::pool()?,
        &user,
        subject,
        id,
        ssr::Decision::File,
    )
    .await
}

/// The county center returns a submitted list or team with a reason.
#[server(endpoint = "filing/return")]
pub async fn return_version(subject: String, id: i64, reason: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let subject = ssr::Subject::parse(&subject).ok_or(AppError::NotFound)?;
    let reason =
        shared::validate::Reason::parse(&reason).map_err(|e| AppError::field("reason", e.0))?;
    let decision = ssr::Decision::Return {
        reason: reason.as_str(),
    };
    ssr::decide(&crate::state::pool()?, &user, subject, id, decision).await
}

/// The supervisor's two buttons under a submitted version: file it, or return it with a reason.
#[component]
pub fn DecisionForms(
    subject: &'static str,
    id: i64,
    file: ServerAction<FileVersion>,
    ret: ServerAction<ReturnVersion>,
) -> impl IntoView {
    let ret_error = action_error(ret);
    view! {
        <div class="decision">
            <ActionForm action=file>
                <input type="hidden" name="subject" value=subject/>
                <input type="hidden" name="id" value=id.to_string()/>
                <button type="submit" class="button primary">"备案并公示"</button>
            </ActionForm>
            <ActionForm action=ret attr:novalidate=true>
                <input type="hidden" name="subject" value=subject/>
                <input type="hidden" name="id" value=id.to_string()/>
                <label class="field"><span>"退回原因"</span>
                    <input type="text" name="reason"/>
                    <FieldMessage error=ret_error field="reason"/>
                </label>
                <button type="submit" class="button">"退回修改"</button>
            </ActionForm>
        </div>
    }
}

/// One step in a version's filing history.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FilingEvent {
    pub action: String,
    pub actor: String,
    pub reason: Option<String>,
    pub at: String,
}

/// The filing history under a list or a team.
#[component]
pub fn FilingHistory(events: Vec<FilingEvent>) -> impl IntoView {
    (!events.is_empty()).then(|| {
        view! {
            <details class="history">
                <summary>"备案记录"</summary>
                <ul class="plain">
                    {events.into_iter().map(|e| view! {
                        <li>{format!("{} {} {}{}", e.at, e.actor, e.action,
                            e.reason.map(|r| format!("：{r}")).unwrap_or_default())}</li>
                    }).collect_view()}
                </ul>
            </details>
        }
    })
}
