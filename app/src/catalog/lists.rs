//! Who may change a unit's item list, and the draft it is changed in: the rules the list
//! editor, filing and import all follow. A leaf of the catalog: it uses none of them.

use crate::accounts::ssr::User;
use crate::error::{AppError, FieldErrors};
use crate::filing::ssr::{self as filing, Action, Subject};
use crate::stored::Known;
use shared::case::ItemType;
use shared::filing::FilingStatus;
use sqlx::{PgPool, Postgres, Transaction};

pub struct ItemEdit {
    pub name: String,
    pub item_type: ItemType,
    pub promised_days: i32,
    pub fees: String,
    pub remarks: String,
}

impl ItemEdit {
    pub fn parse(
        name: &str,
        item_type: &str,
        days: &str,
        fees: &str,
        remarks: &str,
    ) -> Result<Self, AppError> {
        let mut errors = FieldErrors::default();
        let name = name.trim();
        match name.chars().count() {
            0 => errors.add("name", "请填写事项名称"),
            1 => errors.add("name", "事项名称至少2个字"),
            n if n > 100 => errors.add("name", "事项名称不能超过100个字"),
            _ => {}
        }
        let item_type = ItemType::parse(item_type);
        if item_type.is_none() {
            errors.add("item_type", "请选择即办件或承诺件");
        }
        let days: Option<i32> = days.trim().parse().ok().filter(|d| (0..=365).contains(d));
        match (item_type, days) {
            (_, None) => errors.add("promised_days", "承诺时限应为0至365之间的整数（工作日）"),
            (Some(ItemType::Promised), Some(0)) => {
                errors.add("promised_days", "承诺件须填写承诺时限")
            }
            (Some(ItemType::Immediate), Some(d)) if d > 0 => {
                errors.add("promised_days", "即办件当场办结，承诺时限应为0")
            }
            _ => {}
        }
        if fees.chars().count() > 200 {
            errors.add("fees", "收费说明不能超过200个字");
        }
        if remarks.chars().count() > 500 {
            errors.add("remarks", "备注不能超过500个字");
        }
        errors.into_result()?;
        let (Some(item_type), Some(promised_days)) = (item_type, days) else {
            return Err(AppError::Internal);
        };
        Ok(ItemEdit {
            name: name.to_string(),
            item_type,
            promised_days,
            fees: fees.trim().to_string(),
            remarks: remarks.trim().to_string(),
        })
    }
}

/// A manager manages the lists of their own department, or of every department in their
/// center when they belong to none; the manager's department and center are bound as
/// parameters `$n` and `$n+1`.
pub fn managed(n: usize) -> String {
    format!(
        "(d.id = ${n} OR (${n}::bigint IS NULL AND d.center_id = ${}))",
        n + 1
    )
}

/// The list, if `user` manages its department; locked for the rest of the transaction.
pub async fn managed_list(
    tx: &mut Transaction<'_, Postgres>,
    user: &User,
    list_id: i64,
) -> Result<FilingStatus, AppError> {
    let sql = format!(
        "SELECT l.status FROM item_lists l JOIN departments d ON d.id = l.department_id
         WHERE l.id = $1 AND {} FOR UPDATE OF l",
        managed(2)
    );
    let status: Option<Known<FilingStatus>> = sqlx::query_scalar(&sql)
        .bind(list_id)
        .bind(user.department_id)
        .bind(user.center_id)
        .fetch_optional(&mut **tx)
        .await?;
    status.map(|s| s.0).ok_or(AppError::Forbidden)
}

pub async fn start_draft(pool: &PgPool, user: &User, department_id: i64) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let sql = format!(
        "SELECT d.id FROM departments d WHERE d.id = $1 AND {} AND d.retired_at IS NULL FOR UPDATE",
        managed(2)
    );
    let managed: Option<i64> = sqlx::query_scalar(&sql)
        .bind(department_id)
        .bind(user.department_id)
        .bind(user.center_id)
        .fetch_optional(&mut *tx)
        .await?;
    if managed.is_none() {
        return Err(AppError::Forbidden);
    }
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM item_lists WHERE department_id = $1 AND status IN ('draft', 'submitted', 'returned')",
    )
    .bind(department_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = open {
        return Ok(id);
    }
    let draft: i64 = sqlx::query_scalar(
        "INSERT INTO item_lists (department_id, version, status)
         SELECT $1, coalesce(max(version), 0) + 1, 'draft' FROM item_lists WHERE department_id = $1
         RETURNING id",
    )
    .bind(department_id)
    .fetch_one(&mut *tx)
    .await?;
    // Copy the current filed list, item by item with its materials and special steps.
    sqlx::query(
        "WITH src AS (
            SELECT i.* FROM service_items i JOIN item_lists l ON l.id = i.list_id
            WHERE l.department_id = $1 AND l.status = 'filed'),
         copied AS (
            INSERT INTO service_items (list_id, seq, name, pre_guidance, item_type, category, promised_days,
                remarks, keywords, scope, method, booking_phone, mailing_address, mailing_recipient, fees, lineage)
            SELECT $2, seq, name, pre_guidance, item_type, category, promised_days, remarks, keywords, scope,
                method, booking_phone, mailing_address, mailing_recipient, fees, lineage FROM src
            RETURNING id, seq),
         pairs AS (SELECT src.id AS old_id, copied.id AS new_id FROM src JOIN copied USING (seq)),
         m AS (
            INSERT INTO item_materials (item_id, seq, name, form, copies, mandatory, notes, source)
            SELECT p.new_id, m.seq, m.name, m.form, m.copies, m.mandatory, m.notes, m.source
            FROM item_materials m JOIN pairs p ON p.old_id = m.item_id)
         INSERT INTO item_special_steps (item_id, seq, kind, counts_toward_limit, notes)
         SELECT p.new_id, s.seq, s.kind, s.counts_toward_limit, s.notes
         FROM item_special_steps s JOIN pairs p ON p.old_id = s.item_id",
    )
    .bind(department_id)
    .bind(draft)
    .execute(&mut *tx)
    .await?;
    filing::record(
        &mut tx,
        Subject::ItemList,
        draft,
        Action::DraftStarted,
        user.id,
        None,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        manager = user.id,
        department_id,
        list = draft,
        "draft list started"
    );
    Ok(draft)
}

/// Refuses unless `user` manages the list and it is still a draft or returned.
pub async fn editable_list(
    tx: &mut Transaction<'_, Postgres>,
    user: &User,
    list_id: i64,
) -> Result<(), AppError> {
    let status = managed_list(tx, user, list_id).await?;
    if status.editable() {
        Ok(())
    } else {
        Err(AppError::Rejected(format!(
            "清单当前为“{}”，不能修改；请先新建草稿",
            status.label()
        )))
    }
}

/// The item's list, checked editable by `user` and locked.
pub async fn editable_item(
    tx: &mut Transaction<'_, Postgres>,
    user: &User,
    item_id: i64,
) -> Result<i64, AppError> {
    let list_id: Option<i64> =
        sqlx::query_scalar("SELECT list_id FROM service_items WHERE id = $1")
            .bind(item_id)
            .fetch_optional(&mut **tx)
            .await?;
    let list_id = list_id.ok_or(AppError::NotFound)?;
    editable_list(tx, user, list_id).await?;
    Ok(list_id)
}
