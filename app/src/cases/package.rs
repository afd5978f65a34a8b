//! Applying for a package (一件事) once: one 附件1 with each material asked for once opens a
//! parent (the package application, numbered like a case) and one case per item at its own
//! department, each with its own clocks. The lead department's responsible agent owns the
//! whole; results go out together unless the applicant asks for each as it is ready.

use super::apply::ApplyContext;
use crate::error::AppError;
use crate::ui::{posted, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::case::CaseState;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubCase {
    pub number: String,
    pub item: String,
    pub department: String,
    pub state: CaseState,
    pub agent: Option<String>,
    /// The nearest due day of its running clocks.
    pub next_due: Option<String>,
    pub lead: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageCaseView {
    pub number: String,
    pub name: String,
    pub package_id: i64,
    pub submitted_at: String,
    pub unit_name: String,
    pub lead_department: String,
    pub lead_agent: Option<String>,
    pub deliver_together: bool,
    /// The applicant may still change how the results are delivered.
    pub may_choose_delivery: bool,
    pub applicant_view: bool,
    pub subs: Vec<SubCase>,
    pub files: Vec<super::FileRef>,
}

/// What `/cases/:number` shows: a case, or a package application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CasePageData {
    Case(Box<super::CaseView>),
    Package(PackageCaseView),
}

#[server(endpoint = "cases/page")]
pub async fn load_case_page(number: String) -> Result<CasePageData, AppError> {
    let user = crate::accounts::ssr::require_role(super::READERS).await?;
    let pool = crate::state::pool()?;
    match ssr::view(&pool, &user, &number).await? {
        Some(p) => Ok(CasePageData::Package(p)),
        None => Ok(CasePageData::Case(Box::new(
            super::ssr::view(&pool, &user, &number).await?,
        ))),
    }
}

#[server(endpoint = "cases/package_apply_context")]
pub async fn load_package_apply_context(package: i64) -> Result<ApplyContext, AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    ssr::context(&crate::state::pool()?, &user, package).await
}

/// The applicant chooses whether the results come together (the default) or each when ready.
#[server(endpoint = "cases/package_delivery")]
pub async fn set_delivery(number: String, together: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    ssr::set_delivery(&crate::state::pool()?, &user, &number, together == "yes").await?;
    leptos_axum::redirect(&format!("/cases/{number}"));
    Ok(())
}

/// The applicant's package applications: (number, package name, submitted).
#[server(endpoint = "cases/my_packages")]
pub async fn my_package_cases() -> Result<Vec<(String, String, String)>, AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    let rows: Vec<(String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT pc.number, p.name, pc.submitted_at FROM package_cases pc
         JOIN packages p ON p.id = pc.package_id
         WHERE pc.applicant_id = $1 ORDER BY pc.submitted_at DESC LIMIT 50",
    )
    .bind(user.id)
    .fetch_all(&crate::state::pool()?)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(n, name, at)| {
            (
                n,
                name,
                crate::ui::beijing_time(at).format("%Y-%m-%d").to_string(),
            )
        })
        .collect())
}

/// `/one/:id/apply`: the apply flow for a package.
#[component]
pub fn PackageApplyPage() -> impl IntoView {
    let ctx = crate::ui::route_resource("id", load_package_apply_context);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match ctx.await {
                    Ok(c) => view! { <super::apply::ApplyFlow ctx=c elder=crate::elder_mode()/> }.into_any(),
                    Err(e) => view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The package application's page: every item's case and where it stands.
#[component]
pub fn PackageCase(p: PackageCaseView, fresh: bool) -> impl IntoView {
    let error = posted(&["cases/package_delivery"]);
    let number = p.number.clone();
    view! {
        <article class="card case-page package-case" data-package=p.number.clone()>
            <p class="breadcrumb">{if p.applicant_view {
                view! { <a href="/me">"我的申请"</a> }.into_any()
            } else {
                view! { <a href="/workbench">"工作台"</a> }.into_any()
            }}</p>
            {fresh.then(|| view! {
                <p class="form-ok" role="status">{format!(
                    "申请已提交！编号 {}。{}个事项已分别送到各部门办理，可在本页查看每个事项的进度。",
                    p.number, p.subs.len())}</p>
            })}
            <h1>{p.name.clone()}</h1>
            <p class="case-number">{format!("一件事申请编号 {} · {} · 提交于 {}", p.number, p.unit_name, p.submitted_at)}</p>
            <p>{format!("牵头部门：{}（负责统筹全部事项）", p.lead_department)}
                {p.lead_agent.clone().map(|a| format!("，牵头承办人：{a}"))}</p>
            <FormError error/>
            <ul class="item-list sub-cases">{p.subs.iter().map(|s| view! {
                <li class="item-card" data-sub-case=s.number.clone() data-state=s.state.as_str()>
                    <a class="item-link" href=format!("/cases/{}", s.number)>
                        <span class="item-name">{s.item.clone()}{s.lead.then_some("（牵头）")}</span>
                        <span class="item-meta">{format!("{} · {}", s.department, s.number)}</span>
                        <span class="item-meta">
                            <span class="badge" class:closed=!s.state.is_open()>{s.state.label()}</span>
                            {format!(" 承办人：{}", s.agent.clone().unwrap_or_else(|| "待接收".into()))}
                            {s.next_due.clone().map(|d| format!(" · 期限 {d}"))}
                        </span>
                    </a>
                </li>
            }).collect_view()}</ul>
            <h2>"结果送达"</h2>
            <p class="delivery-choice">{if p.deliver_together {
                "各事项办结后，结果一并送达。"
            } else {
                "各事项的结果分别在办结后送达。"
            }}</p>
            {p.may_choose_delivery.then(|| view! {
                <form method="post" action="/api/cases/package_delivery" class="inline-form">
                    <input type="hidden" name="number" value=number.clone()/>
                    <input type="hidden" name="together" value=if p.deliver_together { "no" } else { "yes" }/>
                    <button type="submit" class="button">{if p.deliver_together { "改为分别送达" } else { "改为一并送达" }}</button>
                </form>
            })}
            <h2>"已交材料（各事项共用）"</h2>
            <ul class="plain files">{p.files.into_iter().map(|f| view! {
                <li><a href=format!("/files/{}", f.id)>{f.name.clone()}</a>{f.material.map(|m| format!("（{m}）"))}</li>
            }).collect_view()}</ul>
        </article>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{PackageCaseView, SubCase};
    use crate::accounts::ssr::User;
    use crate::case_log::ssr as log;
    use crate::error::AppError;
    use shared::application::Application;
    use shared::case::{CaseState, Channel, ItemType};
    use shared::Role;
    use sqlx::PgPool;

    /// The package's current public version's items, each with where its case goes.
    struct Target {
        item_id: i64,
        center_id: i64,
        department_id: i64,
        item_type: ItemType,
    }

    async fn filed(pool: &PgPool, id: i64) -> Result<(String, i64), AppError> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT name, lead_department_id FROM packages WHERE id = $1 AND status = 'filed'",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        row.ok_or(AppError::NotFound)
    }

    async fn targets(pool: &PgPool, id: i64) -> Result<Vec<Target>, AppError> {
        let items = crate::catalog::packages::ssr::items(pool, id).await?;
        let mut targets = Vec::new();
        for item in items {
            let Some(item_id) = item.item_id else {
                continue;
            };
            let (center_id, department_id, item_type, _) =
                crate::catalog::ssr::public_item(pool, item_id).await?;
            targets.push(Target {
                item_id,
                center_id,
                department_id,
                item_type,
            });
        }
        if targets.len() < 2 {
            return Err(AppError::Rejected(
                "该“一件事”的事项暂不齐全，请分别申请各事项".into(),
            ));
        }
        Ok(targets)
    }

    /// The pre-guidance entries of the package's items.
    pub async fn pre_guidance(pool: &PgPool, id: i64) -> Result<Vec<String>, AppError> {
        Ok(sqlx::query_scalar(
            "SELECT i.pre_guidance FROM package_items pi
             JOIN service_items i ON i.lineage = pi.item_lineage
             JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
             WHERE pi.package_id = $1 AND i.pre_guidance <> ''
             ORDER BY pi.seq",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    pub async fn context(
        pool: &PgPool,
        user: &User,
        id: i64,
    ) -> Result<super::ApplyContext, AppError> {
        let (name, _) = filed(pool, id).await?;
        let public = crate::catalog::packages::ssr::public(pool, id).await?;
        let lead_name = public.lead_department.clone();
        let promised = targets(pool, id)
            .await?
            .iter()
            .any(|t| t.item_type == ItemType::Promised);
        let (form, token): (serde_json::Value, String) = sqlx::query_as(
            "INSERT INTO package_drafts (applicant_id, package_id, form)
             SELECT a.id, $2, jsonb_build_object('handler_name', a.display_name, 'handler_phone', a.phone)
             FROM accounts a WHERE a.id = $1
             ON CONFLICT (applicant_id, package_id) DO UPDATE SET updated_at = package_drafts.updated_at
             RETURNING form, submission_token::text",
        )
        .bind(user.id)
        .bind(id)
        .fetch_one(pool)
        .await?;
        Ok(super::ApplyContext {
            item_id: id,
            package: true,
            back: format!("/one/{id}"),
            item_name: name,
            unit: format!("一件事一次办 · 牵头部门 {lead_name}"),
            promised,
            materials: public.materials,
            form: serde_json::from_value(form).unwrap_or_default(),
            token,
            today: crate::cases::ssr::today_in_beijing(),
            staff: false,
            // The first item's pre-guidance is offered on the form; any item's is accepted.
            pre_guidance: pre_guidance(pool, id)
                .await?
                .into_iter()
                .next()
                .unwrap_or_default(),
        })
    }

    pub struct NewPackageCase<'a> {
        pub applicant: &'a User,
        pub package_id: i64,
        pub token: &'a str,
        pub application: &'a Application,
        pub signature: Option<crate::files::ssr::Stored>,
        pub material_files: &'a [(i64, String)],
    }

    async fn existing(pool: &PgPool, token: &str) -> Result<Option<String>, AppError> {
        Ok(
            sqlx::query_scalar(
                "SELECT number FROM package_cases WHERE submission_token::text = $1",
            )
            .bind(token)
            .fetch_optional(pool)
            .await?,
        )
    }

    /// Opens the package application and one case per item, all or nothing; the files go with
    /// the lead department's case, which every agent of the package may read. Answers the
    /// package application's number (the same again for a repeated token).
    pub async fn create(pool: &PgPool, new: NewPackageCase<'_>) -> Result<String, AppError> {
        if let Some(number) = existing(pool, new.token).await? {
            return Ok(number);
        }
        let (name, lead) = filed(pool, new.package_id).await?;
        let targets = targets(pool, new.package_id).await?;
        let cal = crate::calendar::ssr::load(pool).await?;
        let mut tx = pool.begin().await?;
        let mut own_files = crate::cases::ssr::files_of(new.application, new.material_files);
        if !crate::cases::ssr::all_unattached(&mut tx, &own_files, new.applicant.id).await? {
            drop(tx);
            if let Some(number) = existing(pool, new.token).await? {
                return Ok(number);
            }
            return Err(AppError::field(
                "files",
                "所附文件无效或已用于其他申请，请重新上传",
            ));
        }
        let number = crate::cases::ssr::next_number(&mut tx).await?;
        let application = serde_json::to_value(new.application).map_err(AppError::internal)?;
        let inserted = sqlx::query_scalar(
            "INSERT INTO package_cases (number, package_id, applicant_id, application, deliver_together,
                                        submission_token)
             VALUES ($1, $2, $3, $4, true, $5::uuid) RETURNING id",
        )
        .bind(&number)
        .bind(new.package_id)
        .bind(new.applicant.id)
        .bind(&application)
        .bind(new.token)
        .fetch_one(&mut *tx)
        .await;
        let parent: i64 = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(e))
                if e.constraint() == Some("package_cases_submission_token_key") =>
            {
                drop(tx);
                return existing(pool, new.token).await?.ok_or(AppError::Internal);
            }
            Err(e) => return Err(e.into()),
        };
        let signature = match &new.signature {
            Some(stored) => Some(
                crate::files::ssr::record(
                    &mut tx,
                    stored,
                    new.applicant.id,
                    None,
                    "signature",
                    "签名.png",
                )
                .await?,
            ),
            None => None,
        };
        let mut lead_case = None;
        let mut first = None;
        for t in &targets {
            let sub_number = crate::cases::ssr::next_number(&mut tx).await?;
            let token = uuid::Uuid::new_v4().to_string();
            let opened = log::open(
                &mut tx,
                &cal,
                log::Opening {
                    submitter: new.applicant,
                    number: &sub_number,
                    applicant_id: new.applicant.id,
                    item_id: t.item_id,
                    item_type: t.item_type,
                    center_id: t.center_id,
                    department_id: t.department_id,
                    channel: Channel::Online,
                    application: new.application,
                    token: &token,
                    signature_file: signature,
                    public_origin: None,
                    package_case_id: Some(parent),
                },
            )
            .await?
            .ok_or(AppError::Internal)?;
            first.get_or_insert(opened);
            if t.department_id == lead && lead_case.is_none() {
                lead_case = Some(opened);
            }
        }
        let lead_case = lead_case.or(first).ok_or(AppError::Internal)?;
        sqlx::query("UPDATE package_cases SET lead_case_id = $2 WHERE id = $1")
            .bind(parent)
            .bind(lead_case)
            .execute(&mut *tx)
            .await?;
        own_files.extend(signature);
        crate::cases::ssr::attach(&mut tx, lead_case, &own_files, new.material_files).await?;
        let who = crate::audit::ssr::Who::user(new.applicant).await;
        crate::audit::ssr::files_attached(&mut *tx, &who, &number, &own_files).await?;
        // One message for the whole application.
        let body = format!(
            "您的“一件事”申请{number}（{name}，{}个事项）已提交，各部门帮办代办员将在1个工作日内审核材料。",
            targets.len()
        );
        sqlx::query(
            "INSERT INTO notifications (account_id, channel, template, body, status, sent_at)
             VALUES ($1, 'in_app', 'package_received', $2, 'sent', now())",
        )
        .bind(new.applicant.id)
        .bind(&body)
        .execute(&mut *tx)
        .await?;
        let verified: Option<String> = sqlx::query_scalar(
            "SELECT phone FROM accounts WHERE id = $1 AND phone_verified_at IS NOT NULL",
        )
        .bind(new.applicant.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(phone) = verified {
            crate::notifications::ssr::queue_sms(
                &mut *tx,
                Some(new.applicant.id),
                None,
                &phone,
                "package_received",
                &crate::notifications::signed(&body),
            )
            .await?;
        }
        sqlx::query("DELETE FROM package_drafts WHERE applicant_id = $1 AND package_id = $2")
            .bind(new.applicant.id)
            .bind(new.package_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(package_case = %number, items = targets.len(), "package application submitted");
        Ok(number)
    }

    /// The package application `number`, if there is one and `user` may see it: its applicant,
    /// staff who may see any of its cases, supervisors. `None` when the number is no package
    /// application's; `NotFound` when it is one the caller may not see.
    pub async fn view(
        pool: &PgPool,
        user: &User,
        number: &str,
    ) -> Result<Option<PackageCaseView>, AppError> {
        #[allow(clippy::type_complexity)]
        let row: Option<(i64, i64, String, i64, serde_json::Value, bool, chrono::DateTime<chrono::Utc>, String, Option<i64>)> =
            sqlx::query_as(
                "SELECT pc.id, pc.package_id, p.name, pc.applicant_id, pc.application, pc.deliver_together,
                        pc.submitted_at, d.name, pc.lead_case_id
                 FROM package_cases pc JOIN packages p ON p.id = pc.package_id
                 JOIN departments d ON d.id = p.lead_department_id WHERE pc.number = $1",
            )
            .bind(number)
            .fetch_optional(pool)
            .await?;
        let Some((
            id,
            package_id,
            name,
            applicant,
            application,
            together,
            submitted_at,
            lead_department,
            lead_case,
        )) = row
        else {
            return Ok(None);
        };
        #[allow(clippy::type_complexity)]
        let subs: Vec<(i64, String, String, String, crate::stored::Known<CaseState>, Option<String>, Option<chrono::DateTime<chrono::Utc>>, bool)> =
            sqlx::query_as(&format!(
                "SELECT c.id, c.number, i.name, coalesce(d.name, ''), c.state, a.display_name,
                        (SELECT min(k.due_at) FROM case_clocks k WHERE k.case_id = c.id AND k.stopped_at IS NULL),
                        coalesce({}, false) AS visible
                 FROM cases c JOIN service_items i ON i.id = c.item_id
                 LEFT JOIN departments d ON d.id = c.department_id
                 LEFT JOIN accounts a ON a.id = c.agent_id
                 WHERE c.package_case_id = $1 ORDER BY c.id",
                log::VISIBLE
            ))
            .bind(id)
            .bind(user.id)
            .bind(user.role().as_str())
            .bind(user.center_id)
            .bind(user.department_id)
            .fetch_all(pool)
            .await?;
        let own = user.role() == Role::Applicant && user.id == applicant;
        if !own && !subs.iter().any(|s| s.7) {
            return Err(AppError::NotFound);
        }
        let a: Application = serde_json::from_value(application).map_err(AppError::internal)?;
        let lead_agent = subs
            .iter()
            .find(|s| Some(s.0) == lead_case)
            .and_then(|s| s.5.clone());
        let may_choose_delivery = own
            && subs.iter().all(|s| {
                matches!(
                    s.4 .0,
                    CaseState::Submitted
                        | CaseState::Received
                        | CaseState::AwaitingSupplement
                        | CaseState::MaterialsComplete
                        | CaseState::AtWindow
                        | CaseState::HandedOver
                        | CaseState::SubmittedToWindow
                        | CaseState::AcceptedByWindow
                        | CaseState::SpecialStep
                        | CaseState::ResultIssued
                        | CaseState::Withdrawn
                        | CaseState::Terminated
                )
            });
        let files = match lead_case {
            Some(lead) => crate::cases::ssr::case_files(pool, lead).await?,
            None => Vec::new(),
        };
        Ok(Some(PackageCaseView {
            number: number.to_string(),
            name,
            package_id,
            submitted_at: crate::ui::beijing_time(submitted_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            unit_name: if own || user.role() != Role::Applicant {
                a.unit_name
            } else {
                String::new()
            },
            lead_department,
            lead_agent,
            deliver_together: together,
            may_choose_delivery,
            applicant_view: own,
            subs: subs
                .into_iter()
                .map(
                    |(case_id, number, item, department, state, agent, due, _)| SubCase {
                        number,
                        item,
                        department,
                        state: state.0,
                        agent,
                        next_due: due
                            .map(|d| crate::ui::beijing_time(d).format("%Y-%m-%d").to_string()),
                        lead: Some(case_id) == lead_case,
                    },
                )
                .collect(),
            files,
        }))
    }

    pub async fn set_delivery(
        pool: &PgPool,
        user: &User,
        number: &str,
        together: bool,
    ) -> Result<(), AppError> {
        let view = view(pool, user, number).await?.ok_or(AppError::NotFound)?;
        if !view.applicant_view {
            return Err(AppError::Forbidden);
        }
        if !view.may_choose_delivery {
            return Err(AppError::Rejected(
                "已有事项开始送达，送达方式不能再更改".into(),
            ));
        }
        sqlx::query("UPDATE package_cases SET deliver_together = $2 WHERE number = $1")
            .bind(number)
            .bind(together)
            .execute(pool)
            .await?;
        Ok(())
    }
}
