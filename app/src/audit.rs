//! The audit log: who did what, when and from where, for staff, organization and account
//! changes, files attached to cases and views of a case's personal data. Rows are appended in
//! the caller's transaction (a change and its record commit together) and hash-chained by the
//! database; `verify` walks the chains of the audit log and of every case's events.

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::accounts::ssr::User;
    use crate::error::AppError;
    use sqlx::PgPool;

    /// Who acts, and from which address.
    #[derive(Clone, Debug)]
    pub struct Who {
        pub actor: Option<i64>,
        pub ip: Option<String>,
    }

    impl Who {
        /// The logged-in `user`, calling now.
        pub async fn user(user: &User) -> Who {
            Who {
                actor: Some(user.id),
                ip: crate::accounts::ssr::client_info().await.ip,
            }
        }
    }

    /// Appends one record. `subject` names what was acted on (`account:12`, `case:…`);
    /// `detail` what changed.
    pub async fn record(
        db: impl sqlx::PgExecutor<'_>,
        who: &Who,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<(), AppError> {
        // id, prev_hash and hash are set by the chain's trigger.
        sqlx::query(
            "INSERT INTO audit_log (id, actor_id, ip, action, subject, detail, prev_hash, hash)
             VALUES (0, $1, $2, $3, $4, $5, '', '')",
        )
        .bind(who.actor)
        .bind(&who.ip)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .execute(db)
        .await?;
        Ok(())
    }

    /// Files put on case `number`: by the applicant's submission or a later upload.
    pub async fn files_attached(
        db: impl sqlx::PgExecutor<'_>,
        who: &Who,
        number: &str,
        files: &[i64],
    ) -> Result<(), AppError> {
        let detail = serde_json::json!({ "files": files });
        record(db, who, "file.attach", &format!("case:{number}"), detail).await
    }

    /// Runs `change` and records it, in one transaction: a change is never saved without its
    /// record. `change` answers the subject it acted on and its result.
    pub async fn audited<T>(
        user: &User,
        action: &str,
        detail: serde_json::Value,
        change: impl AsyncFnOnce(&mut sqlx::PgConnection) -> Result<(String, T), AppError>,
    ) -> Result<T, AppError> {
        let pool = crate::state::pool()?;
        let who = Who::user(user).await;
        let mut tx = pool.begin().await?;
        let (subject, out) = change(&mut tx).await?;
        record(&mut *tx, &who, action, &subject, detail).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// What the verification found.
    #[derive(Debug, PartialEq)]
    pub enum Verdict {
        Intact {
            audit_rows: i64,
            events: i64,
            /// The audit chain's last hash: written down elsewhere, it shows later that no
            /// record was cut off the end.
            last_hash: String,
        },
        /// The first row that does not fit its chain.
        Broken {
            table: &'static str,
            id: i64,
            /// The case, for an event.
            case: Option<String>,
            /// The row's content no longer matches its hash (else: its link to the row before
            /// is broken, a row before it is missing or was changed).
            changed: bool,
        },
    }

    impl std::fmt::Display for Verdict {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Verdict::Intact { audit_rows, events, last_hash } => write!(
                    f,
                    "记录完整：审计日志 {audit_rows} 条，案件事件 {events} 条。审计链末条哈希 {last_hash}（请另行记下，日后核对末尾未被删改）"
                ),
                Verdict::Broken { table, id, case, changed } => {
                    let what = match case {
                        Some(c) => format!("{table} 第 {id} 条（案件 {c}）"),
                        None => format!("{table} 第 {id} 条"),
                    };
                    if *changed {
                        write!(f, "记录被篡改：{what}的内容与其哈希不符")
                    } else {
                        write!(f, "记录被篡改：{what}之前的记录缺失或被改动（链接断开）")
                    }
                }
            }
        }
    }

    /// Recomputes every hash of the audit log and of each case's events; names the first row
    /// that does not fit.
    pub async fn verify(pool: &PgPool) -> Result<Verdict, AppError> {
        let broken: Option<(i64, bool)> = sqlx::query_as(
            "WITH chain AS (
                 SELECT id, prev_hash, hash, audit_log_hash(a) AS recomputed,
                        COALESCE(lag(hash) OVER (ORDER BY id), '') AS expected_prev
                 FROM audit_log a)
             SELECT id, hash <> recomputed FROM chain
             WHERE hash <> recomputed OR prev_hash <> expected_prev ORDER BY id LIMIT 1",
        )
        .fetch_optional(pool)
        .await?;
        if let Some((id, changed)) = broken {
            return Ok(Verdict::Broken {
                table: "audit_log",
                id,
                case: None,
                changed,
            });
        }
        let broken: Option<(i64, String, bool)> = sqlx::query_as(
            "WITH chain AS (
                 SELECT e.id, e.case_id, e.prev_hash, e.hash, case_event_hash(e) AS recomputed,
                        COALESCE(lag(e.hash) OVER (PARTITION BY e.case_id ORDER BY e.id), '')
                            AS expected_prev
                 FROM case_events e)
             SELECT chain.id, c.number, chain.hash <> chain.recomputed
             FROM chain JOIN cases c ON c.id = chain.case_id
             WHERE chain.hash <> chain.recomputed OR chain.prev_hash <> chain.expected_prev
             ORDER BY chain.id LIMIT 1",
        )
        .fetch_optional(pool)
        .await?;
        if let Some((id, case, changed)) = broken {
            return Ok(Verdict::Broken {
                table: "case_events",
                id,
                case: Some(case),
                changed,
            });
        }
        let (audit_rows, events, last_hash): (i64, i64, Option<String>) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM case_events),
                    (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)",
        )
        .fetch_one(pool)
        .await?;
        Ok(Verdict::Intact {
            audit_rows,
            events,
            last_hash: last_hash.unwrap_or_default(),
        })
    }
}
