//! `/admin/calendar`: administrators load a year's holidays and make-up workdays once the State
//! Council publishes them, and correct a day. Every edit is audited, reaches every process's
//! copy at once (the table's trigger) and has the due dates of open cases reckoned again.

use crate::error::AppError;
use crate::ui::{posted, FieldMessage, FormError};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearRow {
    pub year: i32,
    /// The notice the year's arrangement comes from, once it is loaded.
    pub source: Option<String>,
    pub days_off: i64,
    pub make_up_days: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayRow {
    pub date: NaiveDate,
    pub working: bool,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarSheet {
    pub year: i32,
    pub years: Vec<YearRow>,
    pub days: Vec<DayRow>,
    /// An edit whose due-date refresh has not finished yet.
    pub refresh_pending: bool,
    pub last_refresh: Option<(String, i64)>,
}

#[server(endpoint = "calendar/view")]
pub async fn calendar_view(year: Option<i32>) -> Result<CalendarSheet, AppError> {
    use chrono::Datelike;
    crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let this_year = shared::clocks::local_date(chrono::Utc::now()).year();
    let year = year
        .filter(|y| shared::calendar::year_in_range(*y))
        .unwrap_or(this_year);
    ssr::view(&crate::state::pool()?, year, this_year).await
}

/// Sets days `from..=to` off (`kind = off`) or as make-up workdays (`work`), named `name`.
#[server(endpoint = "calendar/set_days")]
pub async fn set_days(
    from: String,
    #[server(default)] to: String,
    kind: String,
    name: String,
) -> Result<usize, AppError> {
    use chrono::Datelike;
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let edit =
        shared::calendar::DaysEdit::parse(&from, &to, &kind, &name).map_err(AppError::Invalid)?;
    let detail = serde_json::to_value(&edit).map_err(AppError::internal)?;
    let year = edit.from.year();
    let n = crate::audit::ssr::audited(&admin, "calendar.set_days", detail, async |db| {
        let n = ssr::set_days(db, admin.id, &edit).await?;
        Ok((format!("calendar:{year}"), n))
    })
    .await?;
    ssr::refresh_in_background();
    leptos_axum::redirect(&format!("/admin/calendar?year={year}&saved=1"));
    Ok(n)
}

/// Removes one listed day: it goes back to the Monday–Friday rule.
#[server(endpoint = "calendar/remove_day")]
pub async fn remove_day(date: String) -> Result<(), AppError> {
    use chrono::Datelike;
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| AppError::field("date", "日期格式不正确"))?;
    let detail = serde_json::json!({ "date": date });
    crate::audit::ssr::audited(&admin, "calendar.remove_day", detail, async |db| {
        ssr::remove_day(db, date).await?;
        Ok((format!("calendar:{}", date.year()), ()))
    })
    .await?;
    ssr::refresh_in_background();
    leptos_axum::redirect(&format!("/admin/calendar?year={}&saved=1", date.year()));
    Ok(())
}

/// Marks `year`'s arrangement as loaded from the notice `source` (due dates in it are then no
/// longer reckoned on weekends only), or, with an empty `source`, as not loaded.
#[server(endpoint = "calendar/set_year")]
pub async fn set_year(year: String, #[server(default)] source: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let year = year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| shared::calendar::year_in_range(*y))
        .ok_or_else(|| AppError::field("year", "年份应在2000至2100之间"))?;
    let source = source.trim().to_string();
    if source.chars().count() > 200 {
        return Err(AppError::field("source", "通知名称或文号不超过200字"));
    }
    let detail = serde_json::json!({ "year": year, "source": source });
    crate::audit::ssr::audited(&admin, "calendar.set_year", detail, async |db| {
        ssr::set_year(db, year, &source).await?;
        Ok((format!("calendar:{year}"), ()))
    })
    .await?;
    ssr::refresh_in_background();
    leptos_axum::redirect(&format!("/admin/calendar?year={year}&saved=1"));
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{CalendarSheet, DayRow, YearRow};
    use crate::error::AppError;
    use shared::calendar::DaysEdit;
    use sqlx::{PgConnection, PgPool};

    pub async fn view(pool: &PgPool, year: i32, this_year: i32) -> Result<CalendarSheet, AppError> {
        // Every year with data, and this year and the next whether or not they have any.
        let years: Vec<(i32, Option<String>, i64, i64)> = sqlx::query_as(
            "WITH ys AS (
                 SELECT year FROM calendar_years
                 UNION SELECT extract(year FROM date)::int FROM calendar_days
                 UNION SELECT unnest(ARRAY[$1::int, $1 + 1, $2]))
             SELECT ys.year, y.source,
                    count(d.date) FILTER (WHERE NOT d.working),
                    count(d.date) FILTER (WHERE d.working)
             FROM ys LEFT JOIN calendar_years y ON y.year = ys.year
             LEFT JOIN calendar_days d ON extract(year FROM d.date)::int = ys.year
             GROUP BY ys.year, y.source ORDER BY ys.year DESC",
        )
        .bind(this_year)
        .bind(year)
        .fetch_all(pool)
        .await?;
        let days: Vec<(chrono::NaiveDate, bool, String)> = sqlx::query_as(
            "SELECT date, working, name FROM calendar_days
             WHERE date >= make_date($1, 1, 1) AND date < make_date($1 + 1, 1, 1) ORDER BY date",
        )
        .bind(year)
        .fetch_all(pool)
        .await?;
        let (pending, at, cases): (
            Option<chrono::DateTime<chrono::Utc>>,
            Option<chrono::DateTime<chrono::Utc>>,
            i64,
        ) = sqlx::query_as(
            "SELECT pending_since, refreshed_at, refreshed_cases FROM calendar_refresh",
        )
        .fetch_one(pool)
        .await?;
        Ok(CalendarSheet {
            year,
            years: years
                .into_iter()
                .map(|(year, source, days_off, make_up_days)| YearRow {
                    year,
                    source,
                    days_off,
                    make_up_days,
                })
                .collect(),
            days: days
                .into_iter()
                .map(|(date, working, name)| DayRow {
                    date,
                    working,
                    name,
                })
                .collect(),
            refresh_pending: pending.is_some(),
            last_refresh: at.map(|t| {
                (
                    crate::ui::beijing_time(t)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    cases,
                )
            }),
        })
    }

    /// Marks the open cases' due dates for reckoning again, in the edit's transaction.
    async fn mark(db: &mut PgConnection) -> Result<(), AppError> {
        sqlx::query("UPDATE calendar_refresh SET pending_since = clock_timestamp()")
            .execute(db)
            .await?;
        Ok(())
    }

    pub async fn set_days(
        db: &mut PgConnection,
        admin: i64,
        edit: &DaysEdit,
    ) -> Result<usize, AppError> {
        let entries = edit.entries();
        let dates: Vec<chrono::NaiveDate> = entries.iter().map(|e| e.date).collect();
        sqlx::query(
            "INSERT INTO calendar_days (date, working, name, updated_by)
             SELECT d, $2, $3, $4 FROM unnest($1::date[]) d
             ON CONFLICT (date) DO UPDATE SET working = EXCLUDED.working, name = EXCLUDED.name,
                 updated_by = EXCLUDED.updated_by, updated_at = now()",
        )
        .bind(&dates)
        .bind(edit.working)
        .bind(&edit.name)
        .bind(admin)
        .execute(&mut *db)
        .await?;
        mark(db).await?;
        Ok(entries.len())
    }

    pub async fn remove_day(
        db: &mut PgConnection,
        date: chrono::NaiveDate,
    ) -> Result<(), AppError> {
        let removed = sqlx::query("DELETE FROM calendar_days WHERE date = $1")
            .bind(date)
            .execute(&mut *db)
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(AppError::field("date", "该日期不在节假日安排中"));
        }
        mark(db).await
    }

    pub async fn set_year(db: &mut PgConnection, year: i32, source: &str) -> Result<(), AppError> {
        if source.is_empty() {
            sqlx::query("DELETE FROM calendar_years WHERE year = $1")
                .bind(year)
                .execute(&mut *db)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO calendar_years (year, source) VALUES ($1, $2)
                 ON CONFLICT (year) DO UPDATE SET source = EXCLUDED.source, updated_at = now()",
            )
            .bind(year)
            .bind(source)
            .execute(&mut *db)
            .await?;
        }
        mark(db).await
    }

    /// The refresh runs after the edit's page has answered; should this process stop first,
    /// the per-minute job of any process finishes it.
    pub fn refresh_in_background() {
        let Ok(pool) = crate::state::pool() else {
            return;
        };
        tokio::spawn(async move {
            match crate::case_log::ssr::refresh_open_cases(&pool).await {
                Ok(Some(n)) => {
                    tracing::info!(cases = n, "due dates reckoned with the new calendar")
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "calendar refresh; the job will retry"),
            }
        });
    }
}

fn query(name: &str) -> Option<String> {
    leptos_router::hooks::use_query_map().with_untracked(|q| q.get(name))
}

/// `/admin/calendar`
#[component]
pub fn CalendarPage() -> impl IntoView {
    let year = query("year").and_then(|y| y.parse::<i32>().ok());
    let view_data = Resource::new(move || year, calendar_view);
    let error = posted(&[
        "calendar/set_days",
        "calendar/remove_day",
        "calendar/set_year",
    ]);
    let saved = query("saved").is_some();
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide calendar-admin">
            <h1>"工作日历"</h1>
            <p class="hint">"办理时限按工作日计算：周一至周五，除去法定节假日，加上调休上班日。国务院办公厅公布次年安排后，请在此录入，并标记该年已载入；未载入的年份只按周末推算，相关期限会注明。"</p>
            {saved.then(|| view! { <p role="status" class="form-ok">"已保存。在办件的办理期限正按新日历重新计算。"</p> })}
            <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    view_data.await.map(|v| view! { <CalendarBody v error/> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CalendarBody(v: CalendarSheet, error: Signal<Option<AppError>>) -> impl IntoView {
    let year = v.year;
    let refresh = match (v.refresh_pending, &v.last_refresh) {
        (true, _) => "在办件期限：正在按最新日历重新计算…".to_string(),
        (false, Some((at, n))) => format!("在办件期限：{at} 已按最新日历重新计算 {n} 件。"),
        (false, None) => "在办件期限：日历未改动过。".to_string(),
    };
    let loaded = v
        .years
        .iter()
        .find(|y| y.year == year)
        .and_then(|y| y.source.clone());
    view! {
        <p class="hint" data-refresh=if v.refresh_pending { "pending" } else { "done" }>{refresh}</p>
        <table class="table calendar-years">
            <thead><tr><th>"年度"</th><th>"节假日安排"</th><th>"放假"</th><th>"调休上班"</th><th></th></tr></thead>
            <tbody>{v.years.into_iter().map(|y| {
                let current = y.year == year;
                view! {
                    <tr class:current=current>
                        <td>{y.year}</td>
                        <td>{match y.source {
                            Some(s) => view! { <span>{format!("已载入：{s}")}</span> }.into_any(),
                            None => view! { <span class="badge due-near">"未载入，按周末推算"</span> }.into_any(),
                        }}</td>
                        <td>{format!("{}天", y.days_off)}</td>
                        <td>{format!("{}天", y.make_up_days)}</td>
                        <td>{(!current).then(|| view! { <a href=format!("/admin/calendar?year={}", y.year)>"查看"</a> })}</td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        <h2>{format!("{year}年的节假日与调休")}</h2>
        <FieldMessage error field="date"/>
        {if v.days.is_empty() {
            view! { <p class="empty">"该年尚无节假日安排。"</p> }.into_any()
        } else {
            view! {
                <table class="table calendar-days">
                    <thead><tr><th>"日期"</th><th>"星期"</th><th>"类型"</th><th>"名称"</th><th></th></tr></thead>
                    <tbody>{v.days.into_iter().map(|d| {
                        let date = d.date.format("%Y-%m-%d").to_string();
                        let shown = date.clone();
                        let key = date.clone();
                        view! {
                            <tr data-date=key>
                                <td>{shown}</td>
                                <td>{shared::calendar::weekday_zh(d.date)}</td>
                                <td>{if d.working { "调休上班" } else { "放假" }}</td>
                                <td>{d.name}</td>
                                <td>
                                    <form method="post" action="/api/calendar/remove_day" class="inline-form">
                                        <input type="hidden" name="date" value=date/>
                                        <button type="submit" class="button small">"删除"</button>
                                    </form>
                                </td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            }.into_any()
        }}
        <h2>"添加或更正"</h2>
        <form method="post" action="/api/calendar/set_days" class="stack-form" novalidate>
            <label class="field"><span>"开始日期"</span><input type="date" name="from"/><FieldMessage error field="from"/></label>
            <label class="field"><span>"结束日期（一天可不填）"</span><input type="date" name="to"/><FieldMessage error field="to"/></label>
            <label class="field"><span>"类型"</span>
                <select name="kind">
                    <option value="off">"放假"</option>
                    <option value="work">"调休上班（周末上班）"</option>
                </select><FieldMessage error field="kind"/></label>
            <label class="field"><span>"名称"</span><input type="text" name="name" maxlength="40" placeholder="如：春节"/><FieldMessage error field="name"/></label>
            <p class="hint">"已在表中的日期会被更正为新填写的内容。"</p>
            <button type="submit" class="button primary">"保存"</button>
        </form>
        <h2>{format!("{year}年安排是否已载入")}</h2>
        <form method="post" action="/api/calendar/set_year" class="stack-form" novalidate>
            <input type="hidden" name="year" value=year.to_string()/>
            <FieldMessage error field="year"/>
            <label class="field"><span>"依据的通知（名称或文号；清空表示未载入）"</span>
                <input type="text" name="source" maxlength="200" value=loaded.unwrap_or_default()
                    placeholder=format!("国务院办公厅关于{year}年部分节假日安排的通知")/>
                <FieldMessage error field="source"/></label>
            <button type="submit" class="button primary">"保存"</button>
        </form>
    }
}
