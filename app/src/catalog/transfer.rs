//! A unit's list as CSV or XLSX files in the policy's column layout: export of the current
//! filed list (public), import into the manager's draft (all rows or none).

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use leptos::server_fn::ServerFn;
use wasm_bindgen::JsCast;

/// Largest accepted list file.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

/// Imports a CSV or XLSX file into the draft of a department's list; returns the row count.
#[server(endpoint = "catalog/import_list", input = MultipartFormData)]
pub async fn import_list(data: MultipartData) -> Result<usize, AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    let mut data = data.into_inner().ok_or(AppError::Internal)?;
    let mut department_id: Option<i64> = None;
    let mut file: Vec<u8> = Vec::new();
    while let Some(mut field) = data
        .next_field()
        .await
        .map_err(|_| AppError::field("file", "上传中断，请重试"))?
    {
        match field.name().unwrap_or_default() {
            "department_id" => {
                let text = field
                    .text()
                    .await
                    .map_err(|_| AppError::field("file", "上传中断，请重试"))?;
                department_id = text.trim().parse().ok();
            }
            "file" => {
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|_| AppError::field("file", "上传中断，请重试"))?
                {
                    if file.len() + chunk.len() > MAX_IMPORT_BYTES {
                        return Err(AppError::field("file", "文件不能超过2MB"));
                    }
                    file.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    let department_id = department_id.ok_or_else(|| AppError::field("file", "缺少部门"))?;
    if file.is_empty() {
        return Err(AppError::field("file", "请选择要导入的CSV或XLSX文件"));
    }
    let rows = ssr::read_rows(&file)?;
    ssr::import(&crate::state::pool()?, &user, department_id, &rows).await
}

/// The import form of one list; works as a plain form post before the wasm arrives.
#[component]
pub fn ImportForm(department_id: i64, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let action = Action::new_local(|data: &web_sys::FormData| import_list(data.clone().into()));
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            on_done.run(());
        }
    });
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        if let Ok(data) = web_sys::FormData::new_with_form(&form) {
            action.dispatch_local(data);
        }
    };
    view! {
        <form class="import-form" method="post" enctype="multipart/form-data"
            action=ImportList::url() on:submit=on_submit>
            <input type="hidden" name="department_id" value=department_id.to_string()/>
            <label class="field"><span>"导入清单文件（CSV或XLSX，按导出文件的列填写）"</span>
                <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>
            </label>
            <button type="submit" class="button" disabled=move || action.pending().get()>"导入到草稿"</button>
            {move || action.value().get().map(|r| match r {
                Ok(n) => view! { <p class="form-ok" role="status">{format!("已导入{n}项，请核对后提交备案")}</p> }.into_any(),
                Err(AppError::BadRows(rows)) => view! {
                    <div class="form-error" role="alert">
                        <p>{format!("导入文件中有{}行错误，未导入任何内容：", rows.len())}</p>
                        <ul class="row-errors">
                            {rows.into_iter().map(|r| view! {
                                <li>{format!("第{}行：{}", r.line, r.reasons.join("；"))}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </form>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::accounts::ssr::User;
    use crate::error::AppError;
    use crate::state::AppState;
    use axum::extract::{Path, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response};
    use shared::case::ItemType;
    use shared::catalog::{check_list_rows, list_row_cells, Category, ListRow, LIST_COLUMNS};
    use sqlx::PgPool;

    /// The rows of a CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it) or XLSX
    /// file, header checked and removed.
    pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
        let mut rows = if bytes.starts_with(b"PK\x03\x04") {
            read_xlsx(bytes)?
        } else {
            read_csv(bytes)?
        };
        if rows.is_empty() {
            return Err(AppError::field("file", "文件是空的"));
        }
        let header: Vec<String> = rows
            .remove(0)
            .into_iter()
            .map(|h| h.trim().to_string())
            .collect();
        if header
            .iter()
            .take(LIST_COLUMNS.len())
            .map(String::as_str)
            .ne(LIST_COLUMNS)
        {
            return Err(AppError::field(
                "file",
                format!("第1行应为表头：{}", LIST_COLUMNS.join("，")),
            ));
        }
        Ok(rows)
    }

    fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t.to_string(),
            Err(_) => {
                let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
                if bad {
                    return Err(AppError::field(
                        "file",
                        "无法识别文件编码，请另存为UTF-8编码的CSV或XLSX文件",
                    ));
                }
                t.into_owned()
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record
                .map_err(|_| AppError::field("file", format!("第{}行不是有效的CSV格式", i + 1)))?;
            rows.push(
                record
                    .iter()
                    .map(|c| shared::spreadsheet::restore(c).to_string())
                    .collect(),
            );
        }
        Ok(rows)
    }

    fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
        use calamine::{Data, Reader, Xlsx};
        let not_xlsx = || AppError::field("file", "无法读取该XLSX文件，请确认文件未损坏");
        let mut book: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|_| not_xlsx())?;
        let sheet = book
            .worksheet_range_at(0)
            .ok_or_else(not_xlsx)?
            .map_err(|_| not_xlsx())?;
        Ok(sheet
            .rows()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect())
    }

    /// The current filed list of a department in service.
    pub async fn current_rows(
        pool: &PgPool,
        department_id: i64,
    ) -> Result<(String, Vec<ListRow>), AppError> {
        let unit: Option<(i64, String)> = sqlx::query_as(
            "SELECT l.id, d.name FROM item_lists l JOIN departments d ON d.id = l.department_id
             WHERE d.id = $1 AND d.retired_at IS NULL AND l.status = 'filed'",
        )
        .bind(department_id)
        .fetch_optional(pool)
        .await?;
        let (list_id, unit) = unit.ok_or(AppError::NotFound)?;
        #[derive(sqlx::FromRow)]
        struct Row {
            seq: i32,
            name: String,
            pre_guidance: String,
            item_type: crate::stored::Known<ItemType>,
            remarks: String,
            category: crate::stored::Known<Category>,
            promised_days: i32,
            fees: String,
        }
        let rows = sqlx::query_as::<_, Row>(
            "SELECT seq, name, pre_guidance, item_type, remarks, category, promised_days, fees
             FROM service_items WHERE list_id = $1 ORDER BY seq",
        )
        .bind(list_id)
        .fetch_all(pool)
        .await?;
        Ok((
            unit,
            rows.into_iter()
                .map(|r| ListRow {
                    seq: r.seq,
                    name: r.name,
                    pre_guidance: r.pre_guidance,
                    item_type: r.item_type.0,
                    remarks: r.remarks,
                    category: r.category.0,
                    promised_days: r.promised_days,
                    fees: r.fees,
                })
                .collect(),
        ))
    }

    fn download(body: Vec<u8>, content_type: &str, filename: &str) -> Response {
        let encoded: String = filename
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'.' {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"list.{}\"; filename*=UTF-8''{encoded}",
                        filename.rsplit('.').next().unwrap_or("csv")
                    ),
                ),
            ],
            body,
        )
            .into_response()
    }

    fn failure(e: AppError) -> Response {
        let status = if e == AppError::NotFound {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            e.to_string(),
        )
            .into_response()
    }

    /// `GET /lists/{department}/export.csv` or `export.xlsx`: the current filed list. CSV is
    /// UTF-8 with a BOM so Excel shows the Chinese right.
    pub async fn export(
        State(state): State<AppState>,
        Path((department_id, file)): Path<(i64, String)>,
    ) -> Response {
        let format = match file.as_str() {
            "export.csv" => "csv",
            "export.xlsx" => "xlsx",
            _ => return failure(AppError::NotFound),
        };
        let table = current_rows(&state.pool, department_id)
            .await
            .and_then(|(unit, rows)| {
                let header: Vec<String> = LIST_COLUMNS.iter().map(|h| h.to_string()).collect();
                let widths = (0..header.len())
                    .map(|c| if c == 2 { 36.0 } else { 14.0 })
                    .collect();
                table_download(
                    format,
                    Table {
                        name: format!("{unit}事项清单"),
                        sheet: "事项清单",
                        header,
                        widths,
                        rows: rows
                            .iter()
                            .map(|r| list_row_cells(&unit, r).to_vec())
                            .collect(),
                    },
                )
            });
        table.unwrap_or_else(failure)
    }

    /// A table to download as CSV or XLSX.
    pub(crate) struct Table {
        /// The file's name without extension.
        pub name: String,
        pub sheet: &'static str,
        pub header: Vec<String>,
        /// Column widths in the XLSX sheet (characters).
        pub widths: Vec<f64>,
        pub rows: Vec<Vec<String>>,
    }

    /// `table` as a download in `format` (`csv` or `xlsx`).
    pub(crate) fn table_download(format: &str, table: Table) -> Result<Response, AppError> {
        let (body, content_type) = if format == "csv" {
            (
                csv_table(&table.header, table.rows.into_iter())?,
                "text/csv; charset=utf-8",
            )
        } else {
            (
                xlsx_table(
                    table.sheet,
                    &table.header,
                    &table.widths,
                    table.rows.into_iter(),
                )?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        };
        Ok(download(
            body,
            content_type,
            &format!("{}.{format}", table.name),
        ))
    }

    /// A table as CSV: UTF-8 with a BOM so Excel shows the Chinese right, and no cell that a
    /// spreadsheet would run as a formula.
    fn csv_table(
        header: &[String],
        rows: impl Iterator<Item = Vec<String>>,
    ) -> Result<Vec<u8>, AppError> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(header).map_err(AppError::internal)?;
        for cells in rows {
            w.write_record(
                cells
                    .iter()
                    .map(|c| shared::spreadsheet::neutralize(c).into_owned()),
            )
            .map_err(AppError::internal)?;
        }
        w.into_inner().map_err(AppError::internal)
    }

    /// A table as one XLSX sheet of text cells (text is never run as a formula).
    fn xlsx_table(
        sheet_name: &str,
        header: &[String],
        widths: &[f64],
        rows: impl Iterator<Item = Vec<String>>,
    ) -> Result<Vec<u8>, AppError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let written = (|| {
            sheet.set_name(sheet_name)?;
            for (c, h) in header.iter().enumerate() {
                sheet.write_string(0, c as u16, h)?;
                sheet.set_column_width(c as u16, widths.get(c).copied().unwrap_or(14.0))?;
            }
            for (r, cells) in rows.enumerate() {
                for (c, cell) in cells.iter().enumerate() {
                    sheet.write_string(r as u32 + 1, c as u16, cell)?;
                }
            }
            Ok::<_, rust_xlsxwriter::XlsxError>(())
        })();
        written.map_err(AppError::internal)?;
        book.save_to_buffer().map_err(AppError::internal)
    }

    /// Replaces the items of the department's draft with `rows`, keeping the materials and
    /// special steps of items whose name is unchanged. All or nothing.
    pub async fn import(
        pool: &PgPool,
        user: &User,
        department_id: i64,
        rows: &[Vec<String>],
    ) -> Result<usize, AppError> {
        let unit: Option<String> = sqlx::query_scalar("SELECT name FROM departments WHERE id = $1")
            .bind(department_id)
            .fetch_optional(pool)
            .await?;
        let unit = unit.ok_or(AppError::Forbidden)?;
        let rows = check_list_rows(&unit, rows).map_err(AppError::BadRows)?;
        let list = crate::catalog::lists::start_draft(pool, user, department_id).await?;

        let mut tx = pool.begin().await?;
        let status: String =
            sqlx::query_scalar("SELECT status FROM item_lists WHERE id = $1 FOR UPDATE")
                .bind(list)
                .fetch_one(&mut *tx)
                .await?;
        if status == "submitted" {
            return Err(AppError::Rejected(
                "清单已提交备案，等待审核期间不能导入".into(),
            ));
        }
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        sqlx::query("DELETE FROM service_items WHERE list_id = $1 AND NOT (name = ANY($2))")
            .bind(list)
            .bind(&names)
            .execute(&mut *tx)
            .await?;
        // Move kept items out of the way of the new sequence numbers first.
        sqlx::query("UPDATE service_items SET seq = seq + 100000 WHERE list_id = $1")
            .bind(list)
            .execute(&mut *tx)
            .await?;
        for r in &rows {
            sqlx::query(
                "INSERT INTO service_items (list_id, seq, name, pre_guidance, item_type, remarks, category, promised_days, fees)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (list_id, name) DO UPDATE SET seq = EXCLUDED.seq, pre_guidance = EXCLUDED.pre_guidance,
                     item_type = EXCLUDED.item_type, remarks = EXCLUDED.remarks, category = EXCLUDED.category,
                     promised_days = EXCLUDED.promised_days, fees = EXCLUDED.fees",
            )
            .bind(list)
            .bind(r.seq)
            .bind(&r.name)
            .bind(&r.pre_guidance)
            .bind(r.item_type.as_str())
            .bind(&r.remarks)
            .bind(r.category.as_str())
            .bind(r.promised_days)
            .bind(&r.fees)
            .execute(&mut *tx)
            .await?;
        }
        use crate::filing::ssr::{record, Action, Subject};
        record(
            &mut tx,
            Subject::ItemList,
            list,
            Action::Imported,
            user.id,
            None,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            manager = user.id,
            department_id,
            list,
            rows = rows.len(),
            "list imported into draft"
        );
        Ok(rows.len())
    }
}
