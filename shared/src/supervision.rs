//! What supervision measures (DOMAIN.md "Supervision"): periods, on-time rates and the filter of
//! the case search, which is also the list behind every figure. Parsed here, so that the page,
//! the links it draws and the server agree on every parameter.

use crate::case::{CaseState, Channel};
use crate::clocks::ClockKind;
use crate::FieldError;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest custom period: a year, leap day included.
pub const MAX_PERIOD_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Custom,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 4] = [
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Week => "周",
            PeriodKind::Month => "月",
            PeriodKind::Quarter => "季度",
            PeriodKind::Custom => "自定义",
        }
    }
}

/// Days `from` to `to`, both included, in Beijing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Monday to Sunday.
    pub fn week_of(day: NaiveDate) -> Period {
        let from = day - Duration::days(day.weekday().num_days_from_monday() as i64);
        Period {
            kind: PeriodKind::Week,
            from,
            to: from + Duration::days(6),
        }
    }

    pub fn month_of(day: NaiveDate) -> Period {
        let from = day.with_day(1).expect("day 1 exists");
        Period {
            kind: PeriodKind::Month,
            from,
            to: first_of_next_month(from) - Duration::days(1),
        }
    }

    pub fn quarter_of(day: NaiveDate) -> Period {
        let month = (day.month0() / 3) * 3 + 1;
        let from = NaiveDate::from_ymd_opt(day.year(), month, 1).expect("a quarter's first day");
        let mut to = from;
        for _ in 0..3 {
            to = first_of_next_month(to);
        }
        Period {
            kind: PeriodKind::Quarter,
            from,
            to: to - Duration::days(1),
        }
    }

    /// The period a report asks for: `period` (week, month, quarter, custom; month when empty)
    /// containing `day` (today when empty), or `from`–`to` for a custom one.
    pub fn parse(
        period: &str,
        day: &str,
        from: &str,
        to: &str,
        today: NaiveDate,
    ) -> Result<Period, Vec<FieldError>> {
        let kind = match period.trim() {
            "" => PeriodKind::Month,
            p => PeriodKind::ALL
                .into_iter()
                .find(|k| k.as_str() == p)
                .ok_or_else(|| vec![FieldError::new("period", "请选择统计周期")])?,
        };
        if kind == PeriodKind::Custom {
            let mut errors = Vec::new();
            let from = parse_date(from, "from", "起始日期", &mut errors);
            let to = parse_date(to, "to", "截止日期", &mut errors);
            let (Some(from), Some(to)) = (from, to) else {
                if errors.is_empty() {
                    errors.push(FieldError::new("from", "自定义周期须填写起始和截止日期"));
                }
                return Err(errors);
            };
            if to < from {
                return Err(vec![FieldError::new("to", "截止日期不能早于起始日期")]);
            }
            if (to - from).num_days() >= MAX_PERIOD_DAYS {
                return Err(vec![FieldError::new("to", "自定义周期最长一年")]);
            }
            return Ok(Period { kind, from, to });
        }
        let mut errors = Vec::new();
        let day = parse_date(day, "day", "日期", &mut errors).unwrap_or(today);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(match kind {
            PeriodKind::Week => Period::week_of(day),
            PeriodKind::Quarter => Period::quarter_of(day),
            _ => Period::month_of(day),
        })
    }

    /// The period before or after this one, of the same kind and length.
    pub fn shifted(&self, forward: bool) -> Period {
        let day = if forward {
            self.to + Duration::days(1)
        } else {
            self.from - Duration::days(1)
        };
        match self.kind {
            PeriodKind::Week => Period::week_of(day),
            PeriodKind::Month => Period::month_of(day),
            PeriodKind::Quarter => Period::quarter_of(day),
            PeriodKind::Custom => {
                let len = self.to - self.from + Duration::days(1);
                let from = if forward {
                    self.from + len
                } else {
                    self.from - len
                };
                Period {
                    kind: PeriodKind::Custom,
                    from,
                    to: from + len - Duration::days(1),
                }
            }
        }
    }

    /// The weeks of a trend ending with the week of this period's last day: `count` of them.
    pub fn trend_weeks(&self, count: usize) -> Vec<Period> {
        let last = Period::week_of(self.to);
        (0..count as i64)
            .rev()
            .map(|i| Period::week_of(last.from - Duration::weeks(i)))
            .collect()
    }

    /// "2026年11月", "2026年第4季度", "2026-11-23 至 2026-11-29".
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.from.year(), self.from.month()),
            PeriodKind::Quarter => {
                format!("{}年第{}季度", self.from.year(), self.from.month0() / 3 + 1)
            }
            _ => format!("{} 至 {}", self.from, self.to),
        }
    }

    /// The query string that names this period on the figures page.
    pub fn query(&self) -> String {
        match self.kind {
            PeriodKind::Custom => format!("period=custom&from={}&to={}", self.from, self.to),
            k => format!("period={}&day={}", k.as_str(), self.from),
        }
    }
}

fn first_of_next_month(day: NaiveDate) -> NaiveDate {
    let (y, m) = if day.month() == 12 {
        (day.year() + 1, 1)
    } else {
        (day.year(), day.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("the first of a month exists")
}

fn parse_date(s: &str, field: &str, name: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if (2000..=2100).contains(&d.year()) => Some(d),
        _ => {
            errors.push(FieldError::new(
                field,
                format!("{name}格式应为“2026-11-30”"),
            ));
            None
        }
    }
}

/// Met ÷ finished, `None` when nothing finished (shown as "—", never as 0 % or 100 %).
pub fn on_time_rate(met: i64, finished: i64) -> Option<f64> {
    (finished > 0).then(|| met.clamp(0, finished) as f64 / finished as f64)
}

/// "96.3%" or "—".
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => "—".into(),
    }
}

/// What the rows of a report are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Center,
    Department,
    Agent,
    Item,
    Week,
}

impl Dimension {
    /// The ones a person chooses on the page (weeks are the trend chart's).
    pub const CHOICES: [Dimension; 4] = [
        Dimension::Center,
        Dimension::Department,
        Dimension::Agent,
        Dimension::Item,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Center => "center",
            Dimension::Department => "department",
            Dimension::Agent => "agent",
            Dimension::Item => "item",
            Dimension::Week => "week",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        match s.trim() {
            "" => Some(Dimension::Department),
            s => Dimension::CHOICES.into_iter().find(|d| d.as_str() == s),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Center => "服务中心",
            Dimension::Department => "部门",
            Dimension::Agent => "帮办代办员",
            Dimension::Item => "事项",
            Dimension::Week => "周",
        }
    }
}

/// How the result reached the applicant.
pub const DELIVERY_MODES: [(&str, &str); 3] = [
    ("window_pickup", "窗口自取"),
    ("door", "送达上门"),
    ("mail", "邮寄"),
];

/// A clock's figures for one row of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ClockFigures {
    /// Finished in the period, plus running ones past their due day (those count as breached).
    pub finished: i64,
    pub met: i64,
    /// Clocks that stopped in the period and their working days in all.
    pub stopped: i64,
    pub days: i64,
}

impl ClockFigures {
    pub fn rate(&self) -> Option<f64> {
        on_time_rate(self.met, self.finished)
    }

    pub fn breached(&self) -> i64 {
        self.finished - self.met
    }

    /// Average working days of the clocks that stopped, one decimal; `None` without any.
    pub fn average_days(&self) -> Option<f64> {
        (self.stopped > 0).then(|| self.days as f64 / self.stopped as f64)
    }
}

/// One row of a report: a center, department, agent, item or week.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FigureRow {
    /// The center's, department's, agent's or item lineage's id; the week's Monday for weeks;
    /// `None` for the total and for cases nobody is responsible for yet.
    pub key: Option<i64>,
    pub name: String,
    pub received: i64,
    pub completed: i64,
    pub terminated: i64,
    pub withdrawn: i64,
    /// Cases that needed a second one-time notice (the first did not list everything).
    pub second_notices: i64,
    /// In the order of `ClockKind::ALL`.
    pub clocks: [ClockFigures; 4],
    /// In the order of `DELIVERY_MODES`.
    pub deliveries: [i64; 3],
    /// Ratings given in the period (both rounds), the 非常满意 and 满意 among them, and the
    /// bottom two.
    pub ratings: i64,
    pub ratings_good: i64,
    pub ratings_bad: i64,
    /// Complaints received in the period (counted for supervisors only).
    pub complaints: i64,
}

impl FigureRow {
    pub fn clock(&self, kind: ClockKind) -> &ClockFigures {
        let i = ClockKind::ALL
            .iter()
            .position(|k| *k == kind)
            .expect("every kind is in ALL");
        &self.clocks[i]
    }

    /// Satisfaction: (非常满意 + 满意) ÷ all ratings.
    pub fn satisfaction(&self) -> Option<f64> {
        crate::quality::satisfaction_rate(self.ratings_good, self.ratings)
    }

    /// Every timed clock together.
    pub fn all_clocks(&self) -> ClockFigures {
        let mut sum = ClockFigures::default();
        for k in ClockKind::TIMED {
            let c = self.clock(k);
            sum.finished += c.finished;
            sum.met += c.met;
            sum.stopped += c.stopped;
            sum.days += c.days;
        }
        sum
    }

    /// The sum of rows (the total line of a table).
    pub fn total(rows: &[FigureRow], name: &str) -> FigureRow {
        let mut t = FigureRow {
            name: name.into(),
            ..FigureRow::default()
        };
        for r in rows {
            t.received += r.received;
            t.completed += r.completed;
            t.terminated += r.terminated;
            t.withdrawn += r.withdrawn;
            t.second_notices += r.second_notices;
            for (a, b) in t.clocks.iter_mut().zip(&r.clocks) {
                a.finished += b.finished;
                a.met += b.met;
                a.stopped += b.stopped;
                a.days += b.days;
            }
            for (a, b) in t.deliveries.iter_mut().zip(&r.deliveries) {
                *a += b;
            }
            t.ratings += r.ratings;
            t.ratings_good += r.ratings_good;
            t.ratings_bad += r.ratings_bad;
            t.complaints += r.complaints;
        }
        t
    }
}

/// Which cases a list holds, and by which of their dates the period applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Submitted (the form reached a center) in the period: "收件".
    Submitted,
    Completed,
    Terminated,
    Withdrawn,
    /// A second one-time notice went out in the period.
    SecondNotice,
    /// A timed clock of this kind (of any kind: `None`) finished in the period, or fell due in
    /// it and is still running.
    Clock(Option<ClockKind>, Outcome),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Any,
    Met,
    Breached,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Any => "",
            Outcome::Met => "met",
            Outcome::Breached => "breached",
        }
    }
}

impl Basis {
    pub fn label(self) -> String {
        match self {
            Basis::Submitted => "收件".into(),
            Basis::Completed => "办结".into(),
            Basis::Terminated => "终止".into(),
            Basis::Withdrawn => "撤回".into(),
            Basis::SecondNotice => "二次告知".into(),
            Basis::Clock(k, o) => format!(
                "{}{}",
                k.map_or("各环节", |k| k.phase()),
                match o {
                    Outcome::Any => "时限已结束",
                    Outcome::Met => "按时",
                    Outcome::Breached => "超时",
                }
            ),
        }
    }
}

/// The case search's filter. Empty fields do not filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFilter {
    /// A case number or its beginning.
    pub number: String,
    /// Part of the applicant's name (a person's or an enterprise's).
    pub applicant: String,
    /// An item lineage (its versions in every filed list).
    pub item: Option<i64>,
    /// Part of an item's name: every lineage one of whose versions is so named. A county has
    /// thousands of items, too many to offer in a list.
    pub item_name: String,
    pub center: Option<i64>,
    pub department: Option<i64>,
    pub agent: Option<i64>,
    pub state: Option<CaseState>,
    pub channel: Option<Channel>,
    /// One of `DELIVERY_MODES`.
    pub delivery: Option<String>,
    pub basis: Basis,
    /// Days of the basis's date, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Some clock breached (or running past its due day), or none.
    pub breached: Option<bool>,
}

impl Default for CaseFilter {
    fn default() -> Self {
        CaseFilter {
            number: String::new(),
            applicant: String::new(),
            item: None,
            item_name: String::new(),
            center: None,
            department: None,
            agent: None,
            state: None,
            channel: None,
            delivery: None,
            basis: Basis::Submitted,
            from: None,
            to: None,
            breached: None,
        }
    }
}

/// Page links never grow past this many cases per request.
pub const PAGE_SIZE: usize = 50;

impl CaseFilter {
    /// The filter from a query string's parameters; each bad one is named.
    pub fn parse(q: &BTreeMap<String, String>) -> Result<CaseFilter, Vec<FieldError>> {
        let get = |k: &str| q.get(k).map(|v| v.trim()).unwrap_or("");
        let mut errors = Vec::new();
        let mut id = |k: &str, name: &str| -> Option<i64> {
            let v = get(k);
            if v.is_empty() {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push(FieldError::new(k, format!("请从列表中选择{name}")));
                    None
                }
            }
        };
        let item = id("item", "事项");
        let center = id("center", "服务中心");
        let department = id("department", "部门");
        let agent = id("agent", "帮办代办员");

        let number = get("number").to_string();
        if number.chars().count() > 40
            || !number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.push(FieldError::new(
                "number",
                "编号只含数字、字母和“-”，最长40位",
            ));
        }
        let applicant = get("applicant").to_string();
        if applicant.chars().count() > 50 {
            errors.push(FieldError::new("applicant", "申请人最长50个字"));
        }
        let item_name = get("item_name").to_string();
        if item_name.chars().count() > 50 {
            errors.push(FieldError::new("item_name", "事项名称最长50个字"));
        }
        let state = match get("state") {
            "" => None,
            s => CaseState::parse(s).or_else(|| {
                errors.push(FieldError::new("state", "请从列表中选择办理状态"));
                None
            }),
        };
        let channel = match get("channel") {
            "" => None,
            s => Channel::parse(s).or_else(|| {
                errors.push(FieldError::new("channel", "请从列表中选择申请渠道"));
                None
            }),
        };
        let delivery = match get("delivery") {
            "" => None,
            s => DELIVERY_MODES
                .iter()
                .find(|(k, _)| *k == s)
                .map(|(k, _)| k.to_string())
                .or_else(|| {
                    errors.push(FieldError::new("delivery", "请从列表中选择送达方式"));
                    None
                }),
        };
        let outcome = match get("outcome") {
            "" => Some(Outcome::Any),
            "met" => Some(Outcome::Met),
            "breached" => Some(Outcome::Breached),
            _ => None,
        };
        let basis = match (get("basis"), outcome) {
            ("" | "submitted", _) => Some(Basis::Submitted),
            ("completed", _) => Some(Basis::Completed),
            ("terminated", _) => Some(Basis::Terminated),
            ("withdrawn", _) => Some(Basis::Withdrawn),
            ("second_notice", _) => Some(Basis::SecondNotice),
            ("clock", Some(o)) => match get("clock") {
                "" => Some(Basis::Clock(None, o)),
                k => ClockKind::parse(k)
                    .filter(|k| ClockKind::TIMED.contains(k))
                    .map(|k| Basis::Clock(Some(k), o)),
            },
            _ => None,
        };
        let basis = basis.unwrap_or_else(|| {
            errors.push(FieldError::new("basis", "请从列表中选择统计口径"));
            Basis::Submitted
        });
        let from = parse_date(get("from"), "from", "起始日期", &mut errors);
        let to = parse_date(get("to"), "to", "截止日期", &mut errors);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new("to", "截止日期不能早于起始日期"));
            }
        }
        let breached = match get("breached") {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.push(FieldError::new("breached", "请从列表中选择是否超时"));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CaseFilter {
            number,
            applicant,
            item,
            item_name,
            center,
            department,
            agent,
            state,
            channel,
            delivery,
            basis,
            from,
            to,
            breached,
        })
    }

    /// The filter as a query string (`parse` reads it back the same).
    pub fn query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut put = |k: &'static str, v: String| {
            if !v.is_empty() {
                pairs.push((k, v));
            }
        };
        put("number", self.number.clone());
        put("applicant", self.applicant.clone());
        put("item_name", self.item_name.clone());
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        put("item", id(self.item));
        put("center", id(self.center));
        put("department", id(self.department));
        put("agent", id(self.agent));
        put(
            "state",
            self.state
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        );
        put(
            "channel",
            self.channel
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        );
        put("delivery", self.delivery.clone().unwrap_or_default());
        match self.basis {
            Basis::Submitted => {}
            Basis::Completed => put("basis", "completed".into()),
            Basis::Terminated => put("basis", "terminated".into()),
            Basis::Withdrawn => put("basis", "withdrawn".into()),
            Basis::SecondNotice => put("basis", "second_notice".into()),
            Basis::Clock(k, o) => {
                put("basis", "clock".into());
                put(
                    "clock",
                    k.map(|k| k.as_str().to_string()).unwrap_or_default(),
                );
                put("outcome", o.as_str().into());
            }
        }
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        put("from", day(self.from));
        put("to", day(self.to));
        put(
            "breached",
            match self.breached {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
        );
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The filter of a period's list: `basis` over `period`, one row's key set.
    pub fn for_figure(basis: Basis, period: &Period, by: Dimension, key: Option<i64>) -> Self {
        let mut f = CaseFilter {
            basis,
            from: Some(period.from),
            to: Some(period.to),
            ..CaseFilter::default()
        };
        match by {
            Dimension::Center => f.center = key,
            Dimension::Department => f.department = key,
            Dimension::Agent => f.agent = key,
            Dimension::Item => f.item = key,
            Dimension::Week => {}
        }
        f
    }
}

/// Percent-encodes a query value (UTF-8), keeping unreserved characters.
pub fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A query string's parameters (a leading `?` is ignored; the last of a repeated one wins; a
/// part that does not decode is dropped).
pub fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Percent-decoding of a query component (`+` is a space, as forms send it).
fn decode(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [it.next()?, it.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// A person's name shown to those who do not work the case: the family name and stars
/// ("张**"). An enterprise's name is public and stays whole.
pub fn mask_name(name: &str, enterprise: bool) -> String {
    if enterprise {
        return name.to_string();
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_whole_weeks_months_and_quarters() {
        let today = d("2026-11-30");
        let w = Period::parse("week", "", "", "", today).unwrap();
        assert_eq!((w.from, w.to), (d("2026-11-30"), d("2026-12-06")));
        let m = Period::parse("", "2026-02-14", "", "", today).unwrap();
        assert_eq!((m.from, m.to), (d("2026-02-01"), d("2026-02-28")));
        assert_eq!(m.label(), "2026年2月");
        let q = Period::parse("quarter", "2026-11-30", "", "", today).unwrap();
        assert_eq!((q.from, q.to), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(q.label(), "2026年第4季度");
        assert_eq!(q.shifted(true).from, d("2027-01-01"));
        assert_eq!(Period::month_of(d("2024-02-10")).to, d("2024-02-29"));
    }

    #[test]
    fn a_custom_period_names_its_bad_field() {
        let today = d("2026-11-30");
        let err = Period::parse("custom", "", "2026-13-01", "", today).unwrap_err();
        assert_eq!(err[0].field, "from");
        let err = Period::parse("custom", "", "2026-11-30", "2026-11-01", today).unwrap_err();
        assert_eq!(err[0].field, "to");
        let err = Period::parse("custom", "", "2025-01-01", "2026-11-01", today).unwrap_err();
        assert_eq!(err[0].message, "自定义周期最长一年");
        let err = Period::parse("year", "", "", "", today).unwrap_err();
        assert_eq!(err[0].field, "period");
        let p = Period::parse("custom", "", "2026-11-01", "2026-11-10", today).unwrap();
        assert_eq!(p.shifted(false).to, d("2026-10-31"));
        assert_eq!(p.shifted(false).from, d("2026-10-22"));
    }

    #[test]
    fn a_rate_needs_finished_clocks() {
        assert_eq!(on_time_rate(0, 0), None);
        assert_eq!(percent(on_time_rate(0, 0)), "—");
        assert_eq!(percent(on_time_rate(26, 27)), "96.3%");
        assert_eq!(percent(on_time_rate(3, 3)), "100.0%");
    }

    #[test]
    fn the_trend_ends_with_the_periods_last_week() {
        let weeks = Period::month_of(d("2026-11-15")).trend_weeks(12);
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[11].from, d("2026-11-30"));
        assert_eq!(weeks[0].from, d("2026-09-14"));
    }

    #[test]
    fn a_query_string_decodes_as_forms_send_it() {
        let q = parse_query("?applicant=%E5%BC%A0+%E4%B8%89&from=2026-11-01&bad=%E5%BC&x");
        assert_eq!(q["applicant"], "张 三");
        assert_eq!(q["from"], "2026-11-01");
        assert!(!q.contains_key("bad"));
        assert_eq!(q["x"], "");
    }

    #[test]
    fn names_are_masked_for_people_only() {
        assert_eq!(mask_name("张三", false), "张*");
        assert_eq!(mask_name("欧阳娜娜", false), "欧***");
        assert_eq!(mask_name("张", false), "张*");
        assert_eq!(
            mask_name("内乡县宛西制药有限公司", true),
            "内乡县宛西制药有限公司"
        );
    }

    #[test]
    fn a_bad_filter_names_every_field() {
        let q: BTreeMap<String, String> = [
            ("number", "411325'; drop"),
            ("center", "abc"),
            ("state", "lost"),
            ("from", "30/11/2026"),
            ("basis", "clock"),
            ("clock", "applicant_waiting"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let fields: Vec<String> = CaseFilter::parse(&q)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["center", "number", "state", "basis", "from"]);
    }

    fn filter() -> impl Strategy<Value = CaseFilter> {
        (
            "[0-9A-Z-]{0,12}",
            "[张王李内乡a-z ]{0,6}",
            proptest::option::of(1i64..10_000),
            "[营业执照a-z ]{0,6}",
            proptest::option::of(1i64..10_000),
            proptest::option::of(0usize..15),
            proptest::option::of(0usize..3),
            0usize..10,
            proptest::option::of(0i64..3000),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(
                |(
                    number,
                    applicant,
                    item,
                    item_name,
                    agent,
                    state,
                    delivery,
                    basis,
                    from,
                    breached,
                )| {
                    let kinds = ClockKind::TIMED;
                    let basis = match basis {
                        0 => Basis::Submitted,
                        1 => Basis::Completed,
                        2 => Basis::Terminated,
                        3 => Basis::Withdrawn,
                        4 => Basis::SecondNotice,
                        8 => Basis::Clock(None, Outcome::Breached),
                        n => Basis::Clock(
                            Some(kinds[n % 3]),
                            [Outcome::Any, Outcome::Met, Outcome::Breached][n % 3],
                        ),
                    };
                    let from = from.map(|n| d("2025-01-01") + Duration::days(n));
                    CaseFilter {
                        number,
                        applicant: applicant.trim().to_string(),
                        item,
                        item_name: item_name.trim().to_string(),
                        agent,
                        state: state.map(|i| CaseState::ALL[i]),
                        delivery: delivery.map(|i| DELIVERY_MODES[i].0.to_string()),
                        basis,
                        from,
                        to: from.map(|f| f + Duration::days(30)),
                        breached,
                        ..CaseFilter::default()
                    }
                },
            )
    }

    proptest! {
        /// Every link the figures draw opens exactly the list they counted.
        #[test]
        fn a_filters_link_reads_back_the_same(f in filter()) {
            let back = CaseFilter::parse(&parse_query(&f.query())).unwrap();
            prop_assert_eq!(back, f);
        }

        /// Consecutive periods of a kind tile the calendar: no day twice, none left out.
        #[test]
        fn periods_tile_the_calendar(n in 0i64..4000, k in 0usize..3) {
            let day = d("2020-01-01") + Duration::days(n);
            let p = match k { 0 => Period::week_of(day), 1 => Period::month_of(day), _ => Period::quarter_of(day) };
            prop_assert!(p.from <= day && day <= p.to);
            prop_assert_eq!(p.shifted(true).from, p.to + Duration::days(1));
            prop_assert_eq!(p.shifted(false).to, p.from - Duration::days(1));
        }

        #[test]
        fn a_rate_lies_between_zero_and_one(met in 0i64..1000, extra in 0i64..1000) {
            let r = on_time_rate(met, met + extra);
            prop_assert!(r.is_none_or(|r| (0.0..=1.0).contains(&r)));
        }
    }
}
