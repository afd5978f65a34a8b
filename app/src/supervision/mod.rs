//! Supervision (保障措施): the figures of a period by center, department, agent and item, with
//! charts and exports, and the case search that lists the cases behind every figure.
//! Supervisors see the county, managers their unit, agents their own figures (on the workbench).
//! Every page here is drawn by the server whole: no island, nothing in any bundle.

mod charts;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use crate::ui::FormError;
use charts::{ClockBars, Ranking, TrendChart};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};
use shared::case::{CaseState, Channel};
use shared::clocks::ClockKind;
use shared::supervision::{
    parse_query, percent, Basis, CaseFilter, Dimension, FigureRow, Outcome, Period, PeriodKind,
    DELIVERY_MODES,
};
use shared::FieldError;
use std::collections::BTreeMap;

/// The figures page's data.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Figures {
    pub county: bool,
    pub period: Period,
    pub by: Dimension,
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
    pub trend: Vec<(Period, FigureRow)>,
}

fn get(p: &BTreeMap<String, String>, k: &str) -> String {
    p.get(k).cloned().unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn today() -> chrono::NaiveDate {
    shared::clocks::local_date(chrono::Utc::now())
}

/// The period and rows a figures query asks for.
#[cfg(feature = "ssr")]
fn figures_request(
    p: &BTreeMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<(Period, Dimension), AppError> {
    let period = Period::parse(
        &get(p, "period"),
        &get(p, "day"),
        &get(p, "from"),
        &get(p, "to"),
        today,
    )
    .map_err(AppError::Invalid)?;
    let by = Dimension::parse(&get(p, "by"))
        .ok_or_else(|| AppError::field("by", "请从列表中选择分组方式"))?;
    Ok((period, by))
}

/// The figures of a period for the caller's scope. `query` is the page's query string.
#[server(endpoint = "supervision/figures")]
pub async fn load_figures(query: String) -> Result<Figures, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Supervisor, Role::Manager]).await?;
    let scope = ssr::Scope::of(&user)?;
    let (period, by) = figures_request(&parse_query(&query), today())?;
    let pool = crate::state::pool()?;
    let now = chrono::Utc::now();
    // Two statements on two connections at once: the period's rows and the weekly trend.
    let weeks = period.trend_weeks(12);
    let (rows, trend) = futures::try_join!(
        ssr::figures(&pool, scope, &period, by, now),
        ssr::trend(&pool, scope, &weeks, now)
    )?;
    let total = FigureRow::total(&rows, "合计");
    Ok(Figures {
        county: scope == ssr::Scope::County,
        period,
        by,
        rows,
        total,
        trend,
    })
}

/// An agent's own figures for this month (the workbench shows them).
#[server(endpoint = "supervision/mine")]
pub async fn my_figures() -> Result<FigureRow, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Agent]).await?;
    let period = Period::month_of(today());
    let pool = crate::state::pool()?;
    // Shown on every workbench view: held until a case changes, or for a minute.
    static HELD: std::sync::LazyLock<crate::held::Held<(i64, String), FigureRow>> =
        std::sync::LazyLock::new(|| {
            crate::held::Held::new(
                crate::live::ssr::CASE_CHANNEL,
                std::time::Duration::from_secs(60),
            )
        });
    let row = HELD
        .get(&pool, (user.id, period.query()), async || {
            let rows = ssr::figures(
                &pool,
                ssr::Scope::of(&user)?,
                &period,
                Dimension::Center,
                chrono::Utc::now(),
            )
            .await?;
            Ok::<_, AppError>(FigureRow::total(&rows, &period.label()))
        })
        .await?;
    Ok((*row).clone())
}

/// An agent's on-time rates this month, per clock, and their satisfaction, on the workbench.
#[component]
pub fn MyFigures() -> impl IntoView {
    let mine = Resource::new(|| (), |_| my_figures());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                mine.await.ok().map(|r| {
                    let clocks = ClockKind::TIMED.iter().map(|k| {
                        let c = *r.clock(*k);
                        view! {
                            <li>
                                <span class="tile-label">{format!("{}时限", k.phase())}</span>
                                " "
                                <strong>{percent(c.rate())}</strong>
                                <span class="hint">{format!("（按时 {} / 结束 {}）", c.met, c.finished)}</span>
                            </li>
                        }
                    }).collect_view();
                    // The agent's scorecard also carries what applicants said (好差评).
                    let rated = view! {
                        <li>
                            <span class="tile-label">"满意率"</span>
                            " "
                            <strong>{percent(r.satisfaction())}</strong>
                            <span class="hint">{format!("（评价 {} · 差评 {}）", r.ratings, r.ratings_bad)}</span>
                        </li>
                    };
                    view! {
                        <crate::ui::SupervisionStyle/>
                        <section class="my-figures" aria-label="本人按时率">
                            <h2>{format!("我的按时率 · {}", r.name)}</h2>
                            <ul class="inline-figures">{clocks}{rated}</ul>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}

fn list_link(f: &CaseFilter) -> String {
    format!("/supervision/cases?{}", f.query())
}

/// The page's query string without the leading `?`.
fn page_query() -> String {
    use_location()
        .search
        .get_untracked()
        .trim_start_matches('?')
        .to_string()
}

/// Sets the page's HTTP status for a refused request (a bad parameter is the caller's fault).
fn answer_status(e: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(
            http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::BAD_REQUEST),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = e;
}

#[component]
pub fn SupervisionPage() -> impl IntoView {
    let query = page_query();
    let p = parse_query(&query);
    let figures = Resource::new(move || query.clone(), load_figures);
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide supervision">
            <h1>"督查统计"</h1>
            <PeriodForm p/>
            <Suspense fallback=|| view! { <p class="loading">"正在统计…"</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Ok(f) => {
                            let (from, to) = (f.period.from, f.period.to);
                            view! { <FiguresView f/><ConsultSection from to/> }.into_any()
                        }
                        Err(e) => {
                            answer_status(&e);
                            let fields = match &e {
                                AppError::Invalid(list) => list.clone(),
                                _ => Vec::new(),
                            };
                            view! {
                                <FieldList errors=fields/>
                                <FormError error=Some(e)/>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Consultations of the period: how fast the first answer came, in working hours.
#[component]
fn ConsultSection(from: chrono::NaiveDate, to: chrono::NaiveDate) -> impl IntoView {
    let rows = Resource::new(
        move || (from, to),
        |(from, to)| crate::reception::consult_figures(from, to),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                rows.await.map(|rows| view! { <crate::reception::ConsultFigures rows/> })
            })}
        </Suspense>
    }
}

/// Field errors of a GET form, each naming its field (the form is drawn by the server).
#[component]
fn FieldList(errors: Vec<FieldError>) -> impl IntoView {
    view! {
        <ul class="field-errors">
            {errors.into_iter().map(|e| view! {
                <li class="field-error" role="alert" data-field=e.field>{e.message}</li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn PeriodForm(p: BTreeMap<String, String>) -> impl IntoView {
    let period = get(&p, "period");
    let by = get(&p, "by");
    view! {
        <form method="get" action="/supervision" class="filters period-form">
            <label class="field"><span>"统计周期"</span>
                <select name="period">
                    {PeriodKind::ALL.into_iter().map(|k| {
                        let chosen = period == k.as_str() || (period.is_empty() && k == PeriodKind::Month);
                        view! { <option value=k.as_str() selected=chosen>{k.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field"><span>"所在日期"</span>
                <input type="date" name="day" value=get(&p, "day")/>
            </label>
            <label class="field"><span>"自定义起始"</span>
                <input type="date" name="from" value=get(&p, "from")/>
            </label>
            <label class="field"><span>"自定义截止"</span>
                <input type="date" name="to" value=get(&p, "to")/>
            </label>
            <label class="field"><span>"分组"</span>
                <select name="by">
                    {Dimension::CHOICES.into_iter().map(|d| {
                        let chosen = by == d.as_str() || (by.is_empty() && d == Dimension::Department);
                        view! { <option value=d.as_str() selected=chosen>{d.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button primary">"统计"</button>
        </form>
    }
}

#[component]
fn FiguresView(f: Figures) -> impl IntoView {
    let Figures {
        county,
        period,
        by,
        rows,
        total,
        trend,
    } = f;
    let here = |p: &Period| format!("/supervision?{}&by={}", p.query(), by.as_str());
    let whole = |basis: Basis| list_link(&CaseFilter::for_figure(basis, &period, by, None));
    let clock_links: Vec<String> = ClockKind::TIMED
        .iter()
        .map(|k| whole(Basis::Clock(Some(*k), Outcome::Any)))
        .collect();
    let trend_links: Vec<String> = trend
        .iter()
        .map(|(w, _)| {
            list_link(&CaseFilter::for_figure(
                Basis::Clock(None, Outcome::Any),
                w,
                Dimension::Week,
                None,
            ))
        })
        .collect();
    let ranked: Vec<(FigureRow, String)> = rows
        .iter()
        .filter(|r| r.key.is_some())
        .map(|r| {
            let f =
                CaseFilter::for_figure(Basis::Clock(None, Outcome::Breached), &period, by, r.key);
            (r.clone(), list_link(&f))
        })
        .collect();
    let export = |file: &str| {
        format!(
            "/supervision/export/{file}?{}&by={}",
            period.query(),
            by.as_str()
        )
    };
    let tiles = ClockKind::TIMED
        .iter()
        .map(|k| {
            let c = *total.clock(*k);
            view! {
                <div class="tile">
                    <p class="tile-label">{format!("{}时限按时率", k.phase())}</p>
                    <p class="tile-figure">{percent(c.rate())}</p>
                    <p class="tile-detail">
                        <a href=whole(Basis::Clock(Some(*k), Outcome::Met))>{format!("按时 {}", c.met)}</a>
                        " · "
                        <a href=whole(Basis::Clock(Some(*k), Outcome::Breached))>{format!("超时 {}", c.breached())}</a>
                    </p>
                </div>
            }
        })
        .collect_view();
    view! {
        <p class="period-nav">
            <a class="button" href=here(&period.shifted(false))>"‹ 上一期"</a>
            <strong class="period-label">{
                let whom = if county { "全县" } else { "本单位" };
                match period.kind {
                    PeriodKind::Month | PeriodKind::Quarter => format!("{}（{} 至 {}）· {whom}", period.label(), period.from, period.to),
                    _ => format!("{} · {whom}", period.label()),
                }
            }</strong>
            <a class="button" href=here(&period.shifted(true))>"下一期 ›"</a>
        </p>
        <div class="tiles">
            <div class="tile">
                <p class="tile-label">"收件"</p>
                <p class="tile-figure"><a href=whole(Basis::Submitted)>{total.received}</a></p>
                <p class="tile-detail">
                    <a href=whole(Basis::Completed)>{format!("办结 {}", total.completed)}</a>
                    " · "
                    <a href=whole(Basis::SecondNotice)>{format!("二次告知 {}", total.second_notices)}</a>
                </p>
            </div>
            <div class="tile">
                <p class="tile-label">"满意率"</p>
                <p class="tile-figure">{percent(total.satisfaction())}</p>
                <p class="tile-detail">
                    {format!("评价 {} · 差评 {}", total.ratings, total.ratings_bad)}
                    {county.then(|| format!(" · 投诉 {}", total.complaints))}
                </p>
            </div>
            {tiles}
        </div>
        <div class="charts">
            <figure class="chart-box">
                <figcaption>"各时限按时率（点击查看代办件）"</figcaption>
                <ClockBars total=total.clone() links=clock_links/>
            </figure>
            <figure class="chart-box">
                <figcaption>"近12周按时率趋势"</figcaption>
                <TrendChart weeks=trend links=trend_links/>
            </figure>
            <figure class="chart-box">
                <figcaption>{format!("按{}排名（全部时限按时率，点击查看超时件）", by.label())}</figcaption>
                <Ranking rows=ranked/>
            </figure>
        </div>
        <FiguresTable period by rows total county/>
        <p class="actions no-print">
            <a class="button" href=export("figures.csv")>"导出统计表 CSV"</a>
            <a class="button" href=export("figures.xlsx")>"导出统计表 XLSX"</a>
            <a class="button" href="/supervision/cases">"查询代办件"</a>
            <button type="button" class="button" data-print="">"打印"</button>
        </p>
        <p class="hint">
            "口径：收件按提交日期；办结、终止、撤回按结束日期；按时率 = 在本期结束且未超时的时限 ÷ 在本期结束的时限，"
            "截止日已过仍在计时的时限按截止日计入超时；平均工作日只计本期结束的时限；时限归属计时期间所在的中心和承办人。"
        </p>
        {county.then(|| view! {
            <Overview/>
            <ul class="nav-list no-print">
                <li><a href="/supervision/lists" class="button">"事项清单备案"</a></li>
                <li><a href="/supervision/teams" class="button">"帮办代办队伍备案"</a></li>
                <li><a href="/quality" class="button">"差评回访整改"</a></li>
                <li><a href="/quality/complaints" class="button">"投诉处理"</a></li>
                <li><a href="/oversight" class="button">"堵点协调"</a></li>
                <li><a href="/inspections" class="button">"监督检查"</a></li>
                <li><a href="/bulletins" class="button">"通报"</a></li>
            </ul>
        })}
    }
}

#[component]
fn FiguresTable(
    period: Period,
    by: Dimension,
    rows: Vec<FigureRow>,
    total: FigureRow,
    /// Complaints are shown to supervisors only.
    county: bool,
) -> impl IntoView {
    let line = move |r: FigureRow, is_total: bool| {
        let key = if is_total { None } else { r.key };
        let link = |basis: Basis| list_link(&CaseFilter::for_figure(basis, &period, by, key));
        // The cases nobody is responsible for yet have no key to list them by.
        let linkable = is_total || r.key.is_some();
        let cell = move |n: i64, basis: Basis| {
            if linkable && n > 0 {
                view! { <td class="num"><a href=link(basis)>{n}</a></td> }.into_any()
            } else {
                view! { <td class="num">{n}</td> }.into_any()
            }
        };
        let clocks = ClockKind::TIMED
            .iter()
            .map(|k| {
                let c = *r.clock(*k);
                let rate_class = match c.rate() {
                    Some(x) if x < 0.9 => "num rate-low",
                    _ => "num",
                };
                view! {
                    <td class=rate_class>{percent(c.rate())}</td>
                    {cell(c.met, Basis::Clock(Some(*k), Outcome::Met))}
                    {cell(c.breached(), Basis::Clock(Some(*k), Outcome::Breached))}
                    <td class="num">{c.average_days().map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())}</td>
                }
            })
            .collect_view();
        let deliveries = DELIVERY_MODES
            .iter()
            .zip(r.deliveries)
            .map(|((mode, _), n)| {
                let mut f = CaseFilter::for_figure(Basis::Completed, &period, by, key);
                f.delivery = Some(mode.to_string());
                if linkable && n > 0 {
                    view! { <td class="num"><a href=list_link(&f)>{n}</a></td> }.into_any()
                } else {
                    view! { <td class="num">{n}</td> }.into_any()
                }
            })
            .collect_view();
        let waiting = r
            .clock(ClockKind::ApplicantWaiting)
            .average_days()
            .map(|d| format!("{d:.1}"))
            .unwrap_or_else(|| "—".into());
        view! {
            <tr class:total=is_total>
                <th scope="row">{r.name.clone()}</th>
                {cell(r.received, Basis::Submitted)}
                {cell(r.completed, Basis::Completed)}
                {cell(r.terminated, Basis::Terminated)}
                {cell(r.withdrawn, Basis::Withdrawn)}
                {cell(r.second_notices, Basis::SecondNotice)}
                {clocks}
                <td class="num">{waiting}</td>
                {deliveries}
                <td class="num">{r.ratings}</td>
                <td class="num">{percent(r.satisfaction())}</td>
                <td class="num">{r.ratings_bad}</td>
                {county.then(|| view! { <td class="num">{r.complaints}</td> })}
            </tr>
        }
    };
    let heads = ClockKind::TIMED
        .iter()
        .map(|k| {
            view! {
                <th scope="col">{format!("{}按时率", k.phase())}</th>
                <th scope="col">"按时"</th>
                <th scope="col">"超时"</th>
                <th scope="col">"平均工作日"</th>
            }
        })
        .collect_view();
    let body = rows.into_iter().map(|r| line(r, false)).collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table figures-table">
                <thead>
                    <tr>
                        <th scope="col">{by.label()}</th>
                        <th scope="col">"收件"</th>
                        <th scope="col">"办结"</th>
                        <th scope="col">"终止"</th>
                        <th scope="col">"撤回"</th>
                        <th scope="col">"二次告知"</th>
                        {heads}
                        <th scope="col">"补正平均工作日"</th>
                        {DELIVERY_MODES.iter().map(|(_, l)| view! { <th scope="col">{*l}</th> }).collect_view()}
                        <th scope="col">"评价"</th>
                        <th scope="col">"满意率"</th>
                        <th scope="col">"差评"</th>
                        {county.then(|| view! { <th scope="col">"投诉"</th> })}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
                <tfoot>{line(total, true)}</tfoot>
            </table>
        </div>
    }
}

/// What the case search shows: the filter as parsed (or what was wrong with it), one page of
/// cases, where the next starts, and the choices of the form.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseSearch {
    pub errors: Vec<FieldError>,
    pub query: String,
    pub basis: String,
    pub found: Vec<Found>,
    pub next: Option<String>,
    pub choices: Choices,
    /// The name of the item lineage the list is limited to (a figure's row), if any.
    pub item: Option<String>,
}

/// One case in the list (applicant masked).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Found {
    pub number: String,
    pub submitted_at: String,
    pub applicant: String,
    pub item: String,
    pub center: String,
    pub department: String,
    pub agent: String,
    pub state: String,
    pub channel: String,
    pub due_at: String,
    pub breached: bool,
}

/// The lists a search form chooses from, limited to what the caller may see.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Choices {
    pub centers: Vec<(i64, String)>,
    pub departments: Vec<(i64, String)>,
    pub agents: Vec<(i64, String)>,
}

#[server(endpoint = "supervision/cases")]
pub async fn search_cases(query: String) -> Result<CaseSearch, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Supervisor, Role::Manager]).await?;
    let scope = ssr::Scope::of(&user)?;
    let pool = crate::state::pool()?;
    let p = parse_query(&query);
    let lineage = p.get("item").and_then(|v| v.trim().parse::<i64>().ok());
    let (choices, item) = futures::try_join!(ssr::choices(&pool, scope), async {
        match lineage {
            Some(l) => ssr::lineage_name(&pool, l).await,
            None => Ok(None),
        }
    })?;
    let filter = match CaseFilter::parse(&p) {
        Ok(f) => f,
        Err(errors) => {
            return Ok(CaseSearch {
                errors,
                query,
                basis: String::new(),
                found: Vec::new(),
                next: None,
                choices,
                item,
            })
        }
    };
    let after = match p.get("after").filter(|a| !a.is_empty()) {
        Some(a) => Some(
            ssr::parse_cursor(a)
                .ok_or_else(|| AppError::field("after", "翻页参数无效，请从第一页重新查询"))?,
        ),
        None => None,
    };
    let (found, next) = ssr::search(
        &pool,
        scope,
        &filter,
        after,
        shared::supervision::PAGE_SIZE,
        chrono::Utc::now(),
    )
    .await?;
    let base = filter.query();
    Ok(CaseSearch {
        errors: Vec::new(),
        basis: describe(&filter),
        query: base.clone(),
        found,
        next: next.map(|c| {
            let sep = if base.is_empty() { "" } else { "&" };
            format!("{base}{sep}after={}", ssr::cursor_text(&c))
        }),
        choices,
        item,
    })
}

/// What a list holds, in words: "办理超时 · 2026-11-01 至 2026-11-30".
#[cfg(feature = "ssr")]
fn describe(f: &CaseFilter) -> String {
    let mut s = f.basis.label();
    match (f.from, f.to) {
        (Some(a), Some(b)) => s.push_str(&format!(" · {a} 至 {b}")),
        (Some(a), None) => s.push_str(&format!(" · {a} 起")),
        (None, Some(b)) => s.push_str(&format!(" · 至 {b}")),
        _ => {}
    }
    s
}

#[component]
pub fn CaseSearchPage() -> impl IntoView {
    let query = page_query();
    let p = parse_query(&query);
    let search = Resource::new(move || query.clone(), search_cases);
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide supervision">
            <h1>"代办件查询"</h1>
            <Suspense fallback=|| view! { <p class="loading">"正在查询…"</p> }>
                {move || {
                    let p = p.clone();
                    Suspend::new(async move {
                        match search.await {
                            Ok(s) => {
                                if !s.errors.is_empty() {
                                    answer_status(&AppError::Invalid(s.errors.clone()));
                                }
                                view! { <SearchForm p s/> }.into_any()
                            }
                            Err(e) => {
                                answer_status(&e);
                                view! { <FormError error=Some(e)/> }.into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn SearchForm(p: BTreeMap<String, String>, s: CaseSearch) -> impl IntoView {
    let errors = s.errors.clone();
    let error_of = move |field: &'static str| {
        let message = errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone());
        view! { <span class="field-error" role="alert" data-field=field>{message}</span> }
    };
    let value = |k: &str| get(&p, k);
    // `options` with an empty value first when choosing nothing means "all".
    let select = |name: &'static str, label: &'static str, options: Vec<(String, String)>| {
        let chosen = get(&p, name);
        let all = options.first().is_none_or(|(v, _)| !v.is_empty());
        view! {
            <label class="field"><span>{label}</span>
                <select name=name>
                    {all.then(|| view! { <option value="">"全部"</option> })}
                    {options.into_iter().map(|(v, l)| {
                        let on = v == chosen;
                        view! { <option value=v selected=on>{l}</option> }
                    }).collect_view()}
                </select>
                {error_of(name)}
            </label>
        }
    };
    let ids = |list: &[(i64, String)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect()
    };
    let bases: Vec<(String, String)> = [
        ("", "收件（按提交日期）"),
        ("completed", "办结（按结束日期）"),
        ("terminated", "终止（按结束日期）"),
        ("withdrawn", "撤回（按结束日期）"),
        ("second_notice", "二次告知（按告知日期）"),
        ("clock", "时限结束（按结束日期，超期未结按截止日）"),
    ]
    .iter()
    .map(|(v, l)| (v.to_string(), l.to_string()))
    .collect();
    let clocks: Vec<(String, String)> = ClockKind::TIMED
        .iter()
        .map(|k| (k.as_str().to_string(), format!("{}时限", k.phase())))
        .collect();
    let states: Vec<(String, String)> = CaseState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().to_string()))
        .collect();
    let channels: Vec<(String, String)> = [Channel::Online, Channel::Phone, Channel::WalkIn]
        .iter()
        .map(|c| (c.as_str().to_string(), c.label().to_string()))
        .collect();
    let deliveries: Vec<(String, String)> = DELIVERY_MODES
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect();
    let export = |file: &str| format!("/supervision/export/{file}?{}", s.query);
    // A figure's row limits the list to one item lineage: say which, and offer to drop it.
    let item_chosen = (!get(&p, "item").is_empty()).then(|| {
        let without: Vec<String> = p
            .iter()
            .filter(|(k, _)| *k != "item" && *k != "after")
            .map(|(k, v)| format!("{k}={}", shared::supervision::encode(v)))
            .collect();
        view! {
            <p class="field chosen-item">
                <span>"事项"</span>
                <input type="hidden" name="item" value=get(&p, "item")/>
                <strong>{s.item.clone().unwrap_or_else(|| "（未知事项）".to_string())}</strong>
                <a class="button" href=format!("/supervision/cases?{}", without.join("&"))>"不限事项"</a>
                {error_of("item")}
            </p>
        }
    });
    let count = s.found.len();
    view! {
        <form method="get" action="/supervision/cases" class="filters search-cases">
            <label class="field"><span>"编号"</span>
                <input name="number" value=value("number") maxlength="40" placeholder="如 411325-20261130"/>
                {error_of("number")}
            </label>
            <label class="field"><span>"申请人"</span>
                <input name="applicant" value=value("applicant") maxlength="50"/>
                {error_of("applicant")}
            </label>
            <label class="field"><span>"事项名称"</span>
                <input name="item_name" value=value("item_name") maxlength="50" placeholder="名称中的字词"/>
                {error_of("item_name")}
            </label>
            {item_chosen}
            {select("center", "服务中心", ids(&s.choices.centers))}
            {select("department", "部门", ids(&s.choices.departments))}
            {select("agent", "承办人", ids(&s.choices.agents))}
            {select("state", "状态", states)}
            {select("channel", "渠道", channels)}
            {select("basis", "日期口径", bases)}
            {select("clock", "时限", clocks)}
            {select("outcome", "时限结果", vec![("met".into(), "按时".into()), ("breached".into(), "超时".into())])}
            <label class="field"><span>"起始日期"</span>
                <input type="date" name="from" value=value("from")/>
                {error_of("from")}
            </label>
            <label class="field"><span>"截止日期"</span>
                <input type="date" name="to" value=value("to")/>
                {error_of("to")}
            </label>
            {select("breached", "是否超时", vec![("yes".into(), "有超时".into()), ("no".into(), "无超时".into())])}
            {select("delivery", "送达方式", deliveries)}
            <button type="submit" class="button primary">"查询"</button>
        </form>
        {s.errors.is_empty().then(|| view! {
            <p class="hint">{format!("{} · 本页 {count} 件", if s.basis.is_empty() { "全部".to_string() } else { s.basis.clone() })}</p>
            <div class="table-scroll">
                <table class="data-table cases-found">
                    <thead><tr>
                        <th scope="col">"编号"</th><th scope="col">"收件时间"</th><th scope="col">"申请人"</th>
                        <th scope="col">"事项"</th><th scope="col">"服务中心"</th><th scope="col">"部门"</th>
                        <th scope="col">"承办人"</th><th scope="col">"状态"</th><th scope="col">"渠道"</th>
                        <th scope="col">"截止时间"</th>
                    </tr></thead>
                    <tbody>
                        {s.found.iter().cloned().map(|f| view! {
                            <tr class:breached=f.breached>
                                <td><a href=format!("/cases/{}", f.number)>{f.number.clone()}</a></td>
                                <td>{f.submitted_at}</td>
                                <td>{f.applicant}</td>
                                <td>{f.item}</td>
                                <td>{f.center}</td>
                                <td>{f.department}</td>
                                <td>{f.agent}</td>
                                <td>{f.state}</td>
                                <td>{f.channel}</td>
                                <td>{f.due_at}{f.breached.then(|| view! { " " <span class="badge due-breached">"超时"</span> })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(count == 0).then(|| view! { <p class="empty">"没有符合条件的代办件。"</p> })}
            <p class="actions no-print">
                {s.next.clone().map(|n| view! { <a class="button" rel="next" href=format!("/supervision/cases?{n}")>"下一页 ›"</a> })}
                <a class="button" href=export("cases.csv")>"导出 CSV"</a>
                <a class="button" href=export("cases.xlsx")>"导出 XLSX"</a>
                <a class="button" href="/supervision">"返回统计"</a>
            </p>
        })}
    }
}

/// What is open in the quality loop and the center's oversight, for the county's overview.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpenWork {
    pub follow_ups: i64,
    pub follow_ups_late: i64,
    pub complaints: i64,
    pub complaints_late: i64,
    pub blockages: i64,
    pub actions_late: i64,
}

#[server(endpoint = "supervision/open")]
pub async fn load_open_work() -> Result<OpenWork, AppError> {
    crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let pool = crate::state::pool()?;
    let (follow_ups, follow_ups_late, complaints, complaints_late) =
        crate::quality::ssr::open_counts(&pool).await?;
    let (blockages, actions_late) = crate::oversight::ssr::open_counts(&pool).await?;
    Ok(OpenWork {
        follow_ups,
        follow_ups_late,
        complaints,
        complaints_late,
        blockages,
        actions_late,
    })
}

#[component]
fn Overview() -> impl IntoView {
    let open = Resource::new(|| (), |_| load_open_work());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                open.await.ok().map(|o| {
                    let tile = |label: &'static str, n: i64, late: bool, href: &'static str| view! {
                        <div class="tile">
                            <p class="tile-label"><a href=href>{label}</a></p>
                            <p class="tile-figure" class:rate-low=late && (n > 0)>{n}</p>
                        </div>
                    };
                    view! {
                        <h2>"待办督办"</h2>
                        <div class="tiles open-work">
                            {tile("未结差评回访", o.follow_ups, false, "/quality")}
                            {tile("回访整改超期", o.follow_ups_late, true, "/quality")}
                            {tile("未办结投诉", o.complaints, false, "/quality/complaints")}
                            {tile("投诉超期", o.complaints_late, true, "/quality/complaints")}
                            {tile("待协调堵点", o.blockages, false, "/oversight")}
                            {tile("议定与整改事项逾期", o.actions_late, true, "/oversight")}
                        </div>
                    }
                })
            })}
        </Suspense>
    }
}
