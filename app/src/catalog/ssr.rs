//! Catalog queries. Only each department's current filed list is public.

use super::{
    CenterDetail, ItemDetail, ItemSummary, Material, PrintableList, PrintableRow, SpecialStep,
    MAX_QUERY_CHARS,
};
use crate::error::AppError;
use crate::stored::Known;
use shared::case::{ItemType, SpecialStepKind};
use shared::catalog::{Category, MaterialForm};
use sqlx::PgPool;

/// Search input from the public, checked.
#[derive(Debug, Default, PartialEq)]
pub struct SearchFilters {
    /// Every term must appear (as typed, LIKE wildcards escaped).
    pub terms: Vec<String>,
    pub category: Option<Category>,
    pub center: Option<i64>,
    pub item_type: Option<ItemType>,
}

impl SearchFilters {
    pub fn parse(q: &str, category: &str, center: &str, item_type: &str) -> Result<Self, AppError> {
        let q: String = q.chars().take(MAX_QUERY_CHARS).collect();
        let terms = q
            .split(|c: char| c.is_whitespace() || c == '，' || c == ',')
            .filter(|t| !t.is_empty())
            .take(5)
            .map(crate::stored::escape_like)
            .collect();
        let category = match category {
            "" => None,
            c => Some(
                Category::parse(c).ok_or_else(|| AppError::field("category", "事项类别无效"))?,
            ),
        };
        let center = match center {
            "" => None,
            c => Some(
                c.parse()
                    .map_err(|_| AppError::field("center", "办理地点无效"))?,
            ),
        };
        let item_type = match item_type {
            "" => None,
            t => Some(ItemType::parse(t).ok_or_else(|| AppError::field("type", "办理类型无效"))?),
        };
        Ok(SearchFilters {
            terms,
            category,
            center,
            item_type,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    department: String,
    center_id: i64,
    center: String,
    item_type: Known<ItemType>,
    category: Known<Category>,
    promised_days: i32,
}

impl From<SummaryRow> for ItemSummary {
    fn from(r: SummaryRow) -> Self {
        ItemSummary {
            id: r.id,
            name: r.name,
            department: r.department,
            center_id: r.center_id,
            center: r.center,
            item_type: r.item_type.0,
            category: r.category.0,
            promised_days: r.promised_days,
        }
    }
}

/// Public items: in a department's current filed list, of a department and center in service.
const PUBLIC_ITEMS: &str = "
    FROM service_items i
    JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
    JOIN departments d ON d.id = l.department_id AND d.retired_at IS NULL
    JOIN centers c ON c.id = d.center_id AND c.retired_at IS NULL";

const SUMMARY_COLUMNS: &str = "i.id, i.name, d.name AS department, c.id AS center_id,
    c.name AS center, i.item_type, i.category, i.promised_days";

pub async fn search(pool: &PgPool, f: &SearchFilters) -> Result<Vec<ItemSummary>, AppError> {
    // The haystack expression is the one the trigram index is built on: the first term in a
    // condition of its own lets the index narrow the items before every term is checked.
    // Ranked: the exact name, then names, then keywords holding the first term; a match only
    // in the pre-guidance entry comes last. Without terms, nothing to rank: the catalog's own
    // order (ranking 10,000 items for nothing took 57 ms).
    let (indexed, rank) =
        if f.terms.is_empty() {
            ("", "")
        } else {
            ("AND (i.name || ' ' || i.keywords || ' ' || i.pre_guidance) ILIKE '%' || $1[1] || '%'",
        "i.name = array_to_string($1, ' ') DESC,
         (i.name ILIKE '%' || $1[1] || '%') DESC,
         (i.keywords ILIKE '%' || $1[1] || '%') DESC,
         similarity(i.name, $1[1]) DESC,")
        };
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} {PUBLIC_ITEMS}
         WHERE NOT EXISTS (
                 SELECT 1 FROM unnest($1::text[]) t
                 WHERE (i.name || ' ' || i.keywords || ' ' || i.pre_guidance) NOT ILIKE '%' || t || '%')
           {indexed}
           AND ($2::text IS NULL OR i.category = $2)
           AND ($3::bigint IS NULL OR c.id = $3)
           AND ($4::text IS NULL OR i.item_type = $4)
         ORDER BY {rank} c.id, d.id, i.seq
         LIMIT 100"
    );
    let rows = sqlx::query_as::<_, SummaryRow>(&sql)
        .bind(&f.terms)
        .bind(f.category.map(Category::as_str))
        .bind(f.center)
        .bind(f.item_type.map(ItemType::as_str))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn item(pool: &PgPool, id: i64) -> Result<ItemDetail, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        summary: SummaryRow,
        seq: i32,
        version: i32,
        pre_guidance: String,
        remarks: String,
        scope: String,
        method: String,
        booking_phone: String,
        mailing_address: String,
        mailing_recipient: String,
        fees: String,
    }
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, i.seq, l.version, i.pre_guidance, i.remarks, i.scope, i.method,
                i.booking_phone, i.mailing_address, i.mailing_recipient, i.fees
         {PUBLIC_ITEMS} WHERE i.id = $1"
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let (materials, special_steps) = item_parts(&mut *pool.acquire().await?, id).await?;
    Ok(ItemDetail {
        summary: row.summary.into(),
        seq: row.seq,
        list_version: row.version,
        pre_guidance: row.pre_guidance,
        remarks: row.remarks,
        scope: row.scope,
        method: row.method,
        booking_phone: row.booking_phone,
        mailing_address: row.mailing_address,
        mailing_recipient: row.mailing_recipient,
        fees: row.fees,
        materials,
        special_steps,
        agents: crate::teams::ssr::on_duty(pool, id).await?,
    })
}

/// An item's materials checklist and special steps, of any version (cases keep theirs).
pub async fn item_parts(
    conn: &mut sqlx::PgConnection,
    id: i64,
) -> Result<(Vec<Material>, Vec<SpecialStep>), AppError> {
    let materials: Vec<(String, Known<MaterialForm>, i32, bool, String, String)> = sqlx::query_as(
        "SELECT name, form, copies, mandatory, notes, source FROM item_materials
         WHERE item_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let steps: Vec<(Known<SpecialStepKind>, bool, String)> = sqlx::query_as(
        "SELECT kind, counts_toward_limit, notes FROM item_special_steps WHERE item_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((
        materials
            .into_iter()
            .map(|(name, form, copies, mandatory, notes, source)| Material {
                name,
                form: form.0,
                copies,
                mandatory,
                notes,
                source,
            })
            .collect(),
        steps
            .into_iter()
            .map(|(kind, counts_toward_limit, notes)| SpecialStep {
                kind: kind.0,
                counts_toward_limit,
                notes,
            })
            .collect(),
    ))
}

pub async fn center(pool: &PgPool, id: i64) -> Result<CenterDetail, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
        kind: String,
        parent: Option<String>,
        address: String,
        phone: String,
        hours: String,
    }
    let row = sqlx::query_as::<_, Row>(
        "SELECT c.name, c.kind, p.name AS parent, c.address, c.phone, c.hours
         FROM centers c LEFT JOIN centers p ON p.id = c.parent_id
         WHERE c.id = $1 AND c.retired_at IS NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let sql =
        format!("SELECT {SUMMARY_COLUMNS} {PUBLIC_ITEMS} WHERE c.id = $1 ORDER BY d.id, i.seq");
    let items = sqlx::query_as::<_, SummaryRow>(&sql)
        .bind(id)
        .fetch_all(pool)
        .await?;
    let departments: Vec<(i64, String)> = sqlx::query_as(
        "SELECT d.id, d.name FROM departments d
         WHERE d.center_id = $1 AND d.retired_at IS NULL
           AND EXISTS (SELECT 1 FROM item_lists l WHERE l.department_id = d.id AND l.status = 'filed')
         ORDER BY d.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(CenterDetail {
        departments,
        id,
        name: row.name,
        kind: crate::organization::center_kind_label(&row.kind).to_string(),
        parent: row.parent,
        address: row.address,
        phone: row.phone,
        hours: row.hours,
        items: items.into_iter().map(Into::into).collect(),
    })
}

pub async fn printable_list(pool: &PgPool, department_id: i64) -> Result<PrintableList, AppError> {
    #[derive(sqlx::FromRow)]
    struct Head {
        id: i64,
        department: String,
        center: String,
        version: i32,
        decided_at: Option<chrono::DateTime<chrono::Utc>>,
    }
    let head = sqlx::query_as::<_, Head>(
        "SELECT l.id, d.name AS department, c.name AS center, l.version, l.decided_at
         FROM item_lists l JOIN departments d ON d.id = l.department_id JOIN centers c ON c.id = d.center_id
         WHERE l.department_id = $1 AND l.status = 'filed' AND d.retired_at IS NULL",
    )
    .bind(department_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let (list_id, department, center, version, filed_at) = (
        head.id,
        head.department,
        head.center,
        head.version,
        head.decided_at,
    );
    let rows: Vec<(i32, String, String, Known<ItemType>, String)> = sqlx::query_as(
        "SELECT seq, name, pre_guidance, item_type, remarks FROM service_items WHERE list_id = $1 ORDER BY seq",
    )
    .bind(list_id)
    .fetch_all(pool)
    .await?;
    Ok(PrintableList {
        department,
        center,
        version,
        filed_on: filed_at.map(|t| {
            crate::ui::beijing_time(t)
                .format("%Y年%m月%d日")
                .to_string()
        }),
        rows: rows
            .into_iter()
            .map(|(seq, name, pre_guidance, t, remarks)| PrintableRow {
                seq,
                name,
                pre_guidance,
                item_type: t.0,
                remarks,
            })
            .collect(),
    })
}

/// A published item: (center, department, item type, lineage), or `NotFound` for anything not
/// public.
pub async fn public_item(
    pool: &PgPool,
    item_id: i64,
) -> Result<(i64, i64, shared::case::ItemType, i64), AppError> {
    let row: Option<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT d.center_id, d.id, i.item_type, i.lineage FROM service_items i
         JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         JOIN departments d ON d.id = l.department_id AND d.retired_at IS NULL
         WHERE i.id = $1",
    )
    .bind(item_id)
    .fetch_optional(pool)
    .await?;
    let (center, department, item_type, lineage) = row.ok_or(AppError::NotFound)?;
    let item_type = shared::case::ItemType::parse(&item_type)
        .ok_or_else(|| AppError::internal(format!("unknown item type {item_type:?}")))?;
    Ok((center, department, item_type, lineage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_input_is_checked() {
        let f = SearchFilters::parse(" 营业执照  变更 ", "", "", "").unwrap();
        assert_eq!(f.terms, ["营业执照", "变更"]);
        assert_eq!(
            SearchFilters::parse("100%_", "", "", "").unwrap().terms,
            ["100\\%\\_"]
        );
        assert!(SearchFilters::parse("", "weird", "", "")
            .unwrap_err()
            .for_field("category")
            .is_some());
        assert!(SearchFilters::parse("", "", "abc", "")
            .unwrap_err()
            .for_field("center")
            .is_some());
        assert!(SearchFilters::parse("", "", "", "x")
            .unwrap_err()
            .for_field("type")
            .is_some());
        let long = "营".repeat(200);
        assert_eq!(
            SearchFilters::parse(&long, "", "", "").unwrap().terms[0]
                .chars()
                .count(),
            MAX_QUERY_CHARS
        );
    }
}
