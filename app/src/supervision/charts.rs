//! Charts drawn by the server as SVG: they read without the wasm, print on A4 and add nothing
//! to any bundle. Each has a title and a description for screen readers; the table below them
//! holds every number they draw.

use leptos::prelude::*;
use shared::clocks::ClockKind;
use shared::supervision::{percent, FigureRow, Period};

const WIDTH: f64 = 640.0;

/// Horizontal bars, each a link: (label, share 0–1, value text, series, link).
#[component]
fn Bars(
    id: &'static str,
    title: &'static str,
    bars: Vec<(String, f64, String, usize, String)>,
    label_w: f64,
    bar_h: f64,
) -> impl IntoView {
    let gap = bar_h / 2.0;
    let height = bars.len().max(1) as f64 * (bar_h + gap) + gap;
    let empty = bars.is_empty().then(|| {
        view! { <text x="0" y=gap + bar_h * 0.72 class="chart-axis">"本期暂无结束的时限"</text> }
    });
    let track = WIDTH - label_w - 190.0;
    let drawn = bars
        .into_iter()
        .enumerate()
        .map(|(i, (label, share, value, series, link))| {
            let y = gap + i as f64 * (bar_h + gap);
            let w = share.clamp(0.0, 1.0) * track;
            let base = y + bar_h * 0.72;
            view! {
                <a href=link>
                    <text x="0" y=base class="chart-label">{label}</text>
                    <rect x=label_w y=y width=track height=bar_h class="chart-track"/>
                    <rect x=label_w y=y width=w height=bar_h class=format!("chart-bar series-{series}")/>
                    <text x=label_w + w + 6.0 y=base class="chart-value">{value}</text>
                </a>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {WIDTH} {height}") role="group" aria-labelledby=id>
            <title id=id>{title}</title>
            {drawn}
            {empty}
        </svg>
    }
}

/// A bar per timed clock: the on-time rate of review, hand-in and processing side by side.
#[component]
pub fn ClockBars(total: FigureRow, links: Vec<String>) -> impl IntoView {
    let bars = ClockKind::TIMED
        .iter()
        .zip(links)
        .enumerate()
        .map(|(i, (k, link))| {
            let c = total.clock(*k);
            let value = format!("{} （{}/{}）", percent(c.rate()), c.met, c.finished);
            let label = format!("{}时限", k.phase());
            (label, c.rate().unwrap_or(0.0), value, i, link)
        })
        .collect();
    view! { <Bars id="chart-clocks-title" title="各时限按时率" bars label_w=120.0 bar_h=28.0/> }
}

/// The weekly on-time trend of each timed clock: one line per clock, a gap where a week had no
/// clock finish.
#[component]
pub fn TrendChart(weeks: Vec<(Period, FigureRow)>, links: Vec<String>) -> impl IntoView {
    let (left, right, top, bottom) = (44.0, 16.0, 16.0, 40.0);
    let height = 260.0;
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let n = weeks.len().max(1);
    let x = move |i: usize| left + plot_w * (i as f64 + 0.5) / n as f64;
    let y = move |rate: f64| top + plot_h * (1.0 - rate);

    let grid = [0.0, 0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .map(|r| {
            view! {
                <line x1=left x2=WIDTH - right y1=y(r) y2=y(r) class="chart-grid"/>
                <text x=left - 6.0 y=y(r) + 4.0 class="chart-axis" text-anchor="end">{format!("{}%", (r * 100.0) as i32)}</text>
            }
        })
        .collect_view();
    let labels = weeks
        .iter()
        .enumerate()
        .map(|(i, (w, _))| {
            view! {
                <a href=links.get(i).cloned().unwrap_or_default()>
                    <text x=x(i) y=height - bottom + 16.0 class="chart-axis" text-anchor="middle">{w.from.format("%m-%d").to_string()}</text>
                </a>
            }
        })
        .collect_view();
    let lines = ClockKind::TIMED
        .iter()
        .enumerate()
        .map(|(s, k)| {
            // Segments between weeks that both have a rate.
            let mut d = String::new();
            let mut pen_down = false;
            let mut dots = Vec::new();
            for (i, (_, row)) in weeks.iter().enumerate() {
                match row.clock(*k).rate() {
                    Some(r) => {
                        d.push_str(&format!(
                            "{}{:.1},{:.1} ",
                            if pen_down { "L" } else { "M" },
                            x(i),
                            y(r)
                        ));
                        pen_down = true;
                        dots.push((x(i), y(r)));
                    }
                    None => pen_down = false,
                }
            }
            let dots = dots
                .into_iter()
                .map(|(cx, cy)| view! { <circle cx=cx cy=cy r="3.5" class=format!("chart-dot series-{s}")/> })
                .collect_view();
            view! {
                <path d=d class=format!("chart-line series-{s}")/>
                {dots}
            }
        })
        .collect_view();
    let legend = ClockKind::TIMED
        .iter()
        .enumerate()
        .map(|(s, k)| {
            let lx = left + s as f64 * 150.0;
            view! {
                <rect x=lx y=height - 14.0 width="14" height="10" class=format!("chart-bar series-{s}")/>
                <text x=lx + 20.0 y=height - 5.0 class="chart-axis">{format!("{}时限", k.phase())}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {WIDTH} {height}") role="group" aria-labelledby="chart-trend-title">
            <title id="chart-trend-title">"近12周按时率趋势"</title>
            {grid}
            {labels}
            {lines}
            {legend}
        </svg>
    }
}

/// Rows ranked by the on-time rate of all their clocks, highest first; rows without a finished
/// clock last. Each bar opens the row's list of finished clocks.
#[component]
pub fn Ranking(rows: Vec<(FigureRow, String)>) -> impl IntoView {
    let mut rows: Vec<(FigureRow, String)> = rows
        .into_iter()
        .filter(|(r, _)| r.all_clocks().finished > 0)
        .collect();
    rows.sort_by(|(a, _), (b, _)| {
        let (ra, rb) = (a.all_clocks().rate(), b.all_clocks().rate());
        rb.partial_cmp(&ra)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name))
    });
    rows.truncate(15);
    let bars = rows
        .into_iter()
        .map(|(r, link)| {
            let all = r.all_clocks();
            let value = format!("{}（{}件次）", percent(all.rate()), all.finished);
            // A department's center is in its name's brackets; the bar has room for the name.
            let short = r.name.split('（').next().unwrap_or(&r.name);
            let name: String = short.chars().take(12).collect();
            (name, all.rate().unwrap_or(0.0), value, 0, link)
        })
        .collect();
    view! { <Bars id="chart-ranking-title" title="按时率排名" bars label_w=190.0 bar_h=20.0/> }
}
