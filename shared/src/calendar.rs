//! The working-day calendar: Monday to Friday, minus statutory holidays, plus make-up workdays
//! (调休). The holidays are data, loaded from the database (seeded from the State Council's
//! notices, editable by administrators), never code. A year without loaded data is computed from
//! weekends alone, and every answer says whether that happened.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Weekend,
    /// A statutory holiday (法定节假日), even on a weekday.
    Holiday,
    /// A weekend day worked instead of a holiday (调休上班).
    MakeUpWorkday,
}

/// A date sent as its day number (days since 0001-01-01 plus one): `#[serde(with =
/// "shared::calendar::day_number")]`. Parsing a date's text would bring chrono's format parser
/// into the applicants' browser bundle (about 15 kB) for the one date the apply form needs.
pub mod day_number {
    use chrono::{Datelike, NaiveDate};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(d.num_days_from_ce())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        NaiveDate::from_num_days_from_ce_opt(i32::deserialize(d)?)
            .ok_or_else(|| D::Error::custom("日期无效"))
    }
}

/// One exception to the Monday–Friday rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub date: NaiveDate,
    /// `true`: a make-up workday; `false`: a day off.
    pub working: bool,
    pub name: String,
}

/// A computed value and whether it rests on a year whose holidays are not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reckoned<T> {
    pub value: T,
    /// Some day involved falls in a year with no holiday data: weekends alone were used.
    pub weekends_only: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    exceptions: BTreeMap<NaiveDate, CalendarEntry>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// A calendar whose holiday data covers `years`, with `entries` as its exceptions.
    pub fn new(
        years: impl IntoIterator<Item = i32>,
        entries: impl IntoIterator<Item = CalendarEntry>,
    ) -> Self {
        Calendar {
            exceptions: entries.into_iter().map(|e| (e.date, e)).collect(),
            years: years.into_iter().collect(),
        }
    }

    /// The State Council's 2025 and 2026 arrangements (the same data the seed migration loads).
    pub fn china_2025_2026() -> Self {
        let mut entries = Vec::new();
        for &(year, name, off, work) in STATE_COUNCIL {
            for &(from, to) in off {
                let (from, to) = (md(year, from), md(year, to));
                let mut d = from;
                while d <= to {
                    entries.push(CalendarEntry {
                        date: d,
                        working: false,
                        name: name.to_string(),
                    });
                    d += Duration::days(1);
                }
            }
            for &w in work {
                entries.push(CalendarEntry {
                    date: md(year, w),
                    working: true,
                    name: format!("{name}调休上班"),
                });
            }
        }
        Calendar::new([2025, 2026], entries)
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn entries(&self) -> impl Iterator<Item = &CalendarEntry> {
        self.exceptions.values()
    }

    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        match self.exceptions.get(&date) {
            Some(e) if e.working => DayKind::MakeUpWorkday,
            Some(_) => DayKind::Holiday,
            None if weekend => DayKind::Weekend,
            None => DayKind::Workday,
        }
    }

    /// The holiday's name when `date` is an exception (e.g. "春节", "国庆节调休上班").
    pub fn day_name(&self, date: NaiveDate) -> Option<&str> {
        self.exceptions.get(&date).map(|e| e.name.as_str())
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        matches!(
            self.day_kind(date),
            DayKind::Workday | DayKind::MakeUpWorkday
        )
    }

    /// The `n`-th working day after `date`; the day of the event itself never counts
    /// (n = 0 gives `date`).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Reckoned<NaiveDate> {
        let mut weekends_only = !self.covers(date.year());
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            weekends_only |= !self.covers(d.year());
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Reckoned {
            value: d,
            weekends_only,
        }
    }

    /// Working days in `(from, to]`: how many working days have passed since `from`'s day by the
    /// end of `to`'s day. Zero when `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Reckoned<u32> {
        let mut weekends_only = !self.covers(from.year());
        let mut count = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            weekends_only |= !self.covers(d.year());
            if self.is_working_day(d) {
                count += 1;
            }
        }
        Reckoned {
            value: count,
            weekends_only,
        }
    }

    /// The runs of consecutive days off in `(from, to)` that include a holiday, for explaining
    /// why a due date is later than it looks.
    pub fn holidays_within(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, NaiveDate, String)> {
        let mut runs: Vec<(NaiveDate, NaiveDate, String)> = Vec::new();
        let mut d = from + Duration::days(1);
        while d < to {
            if self.day_kind(d) == DayKind::Holiday {
                let name = self.day_name(d).unwrap_or_default().to_string();
                match runs.last_mut() {
                    Some(last) if last.1 + Duration::days(1) == d && last.2 == name => last.1 = d,
                    _ => runs.push((d, d, name)),
                }
            }
            d += Duration::days(1);
        }
        runs
    }
}

fn md(year: i32, (m, d): (u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, m, d).expect("the built-in holiday table holds valid dates")
}

type Md = (u32, u32);

/// (year, holiday, days off as inclusive ranges, make-up workdays), from DOMAIN.md.
#[allow(clippy::type_complexity)]
pub const STATE_COUNCIL: &[(i32, &str, &[(Md, Md)], &[Md])] = &[
    (2025, "元旦", &[((1, 1), (1, 1))], &[]),
    (2025, "春节", &[((1, 28), (2, 4))], &[(1, 26), (2, 8)]),
    (2025, "清明节", &[((4, 4), (4, 6))], &[]),
    (2025, "劳动节", &[((5, 1), (5, 5))], &[(4, 27)]),
    (2025, "端午节", &[((5, 31), (6, 2))], &[]),
    (
        2025,
        "国庆节、中秋节",
        &[((10, 1), (10, 8))],
        &[(9, 28), (10, 11)],
    ),
    (2026, "元旦", &[((1, 1), (1, 3))], &[(1, 4)]),
    (2026, "春节", &[((2, 15), (2, 23))], &[(2, 14), (2, 28)]),
    (2026, "清明节", &[((4, 4), (4, 6))], &[]),
    (2026, "劳动节", &[((5, 1), (5, 5))], &[(5, 9)]),
    (2026, "端午节", &[((6, 19), (6, 21))], &[]),
    (2026, "中秋节", &[((9, 25), (9, 27))], &[(9, 20)]),
    (2026, "国庆节", &[((10, 1), (10, 7))], &[(10, 10)]),
];

/// The longest run of days one edit may set (the longest holiday, 春节, is nine days).
pub const MAX_EDIT_DAYS: i64 = 31;

/// An administrator's change: the days `from..=to` become days off or make-up workdays named
/// `name` (a day already listed is corrected). Built only by `parse`, which checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysEdit {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub working: bool,
    pub name: String,
}

impl DaysEdit {
    /// `kind` is `off` (放假) or `work` (调休上班); `to` may be empty for one day.
    pub fn parse(
        from: &str,
        to: &str,
        kind: &str,
        name: &str,
    ) -> Result<DaysEdit, Vec<crate::FieldError>> {
        use crate::FieldError;
        let mut errors = Vec::new();
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let from = date(from).filter(|d| year_in_range(d.year()));
        if from.is_none() {
            errors.push(FieldError::new("from", "请选择2000年至2100年之间的日期"));
        }
        let to = match to.trim() {
            "" => from,
            t => date(t),
        };
        let to = match (from, to) {
            (Some(f), Some(t)) if t >= f && (t - f).num_days() < MAX_EDIT_DAYS => Some(t),
            (None, _) => None,
            _ => {
                errors.push(FieldError::new(
                    "to",
                    format!("结束日期应不早于开始日期，且一次不超过{MAX_EDIT_DAYS}天"),
                ));
                None
            }
        };
        let working = match kind {
            "off" => Some(false),
            "work" => Some(true),
            _ => {
                errors.push(FieldError::new("kind", "请选择放假或调休上班"));
                None
            }
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            errors.push(FieldError::new("name", "请填写节日名称（不超过40字）"));
        }
        if let (Some(f), Some(t), Some(true)) = (from, to, working) {
            if let Some(d) = f
                .iter_days()
                .take_while(|d| *d <= t)
                .find(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            {
                errors.push(FieldError::new(
                    "kind",
                    format!(
                        "调休上班日应为周六或周日：{}是{}",
                        d.format("%Y-%m-%d"),
                        weekday_zh(d)
                    ),
                ));
            }
        }
        match (from, to, working, errors.is_empty()) {
            (Some(from), Some(to), Some(working), true) => Ok(DaysEdit {
                from,
                to,
                working,
                name: name.to_string(),
            }),
            _ => Err(errors),
        }
    }

    pub fn entries(&self) -> Vec<CalendarEntry> {
        self.from
            .iter_days()
            .take_while(|d| *d <= self.to)
            .map(|date| CalendarEntry {
                date,
                working: self.working,
                name: self.name.clone(),
            })
            .collect()
    }
}

/// The years whose holidays an administrator may load.
pub fn year_in_range(year: i32) -> bool {
    (2000..=2100).contains(&year)
}

/// 周一 … 周日
pub fn weekday_zh(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_listed_holiday_is_off_and_every_makeup_day_is_worked() {
        let cal = Calendar::china_2025_2026();
        let mut off = 0;
        let mut worked = 0;
        for &(year, _, ranges, work) in STATE_COUNCIL {
            for &(from, to) in ranges {
                let mut day = md(year, from);
                while day <= md(year, to) {
                    assert_eq!(cal.day_kind(day), DayKind::Holiday, "{day}");
                    assert!(!cal.is_working_day(day), "{day}");
                    off += 1;
                    day += Duration::days(1);
                }
            }
            for &w in work {
                let day = md(year, w);
                assert!(
                    matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                    "{day} is a weekend"
                );
                assert_eq!(cal.day_kind(day), DayKind::MakeUpWorkday, "{day}");
                assert!(cal.is_working_day(day));
                worked += 1;
            }
        }
        // 2025: 1+8+3+5+3+8 = 28 days off, 5 make-up days; 2026: 3+9+3+5+3+3+7 = 33, 6.
        assert_eq!(off, 61);
        assert_eq!(worked, 11);
    }

    #[test]
    fn an_edit_names_the_field_it_refuses() {
        let fields = |r: Result<DaysEdit, Vec<crate::FieldError>>| -> Vec<String> {
            r.unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(fields(DaysEdit::parse("", "", "off", "元旦")), ["from"]);
        assert_eq!(
            fields(DaysEdit::parse("1999-01-01", "", "off", "元旦")),
            ["from"]
        );
        assert_eq!(
            fields(DaysEdit::parse("2027-01-03", "2027-01-01", "off", "元旦")),
            ["to"]
        );
        assert_eq!(
            fields(DaysEdit::parse("2027-01-01", "2027-02-15", "off", "春节")),
            ["to"]
        );
        assert_eq!(
            fields(DaysEdit::parse("2027-01-01", "", "x", "元旦")),
            ["kind"]
        );
        assert_eq!(
            fields(DaysEdit::parse("2027-01-01", "", "off", " ")),
            ["name"]
        );
        // 2027-01-04 is a Monday: nobody makes up work on a weekday.
        let e = DaysEdit::parse("2027-01-02", "2027-01-04", "work", "元旦调休上班").unwrap_err();
        assert_eq!(e[0].field, "kind");
        assert!(
            e[0].message.contains("2027-01-04是周一"),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn an_edit_covers_its_days_and_corrects_a_listed_one() {
        let e = DaysEdit::parse("2027-02-06", "2027-02-14", "off", " 春节 ").unwrap();
        let entries = e.entries();
        assert_eq!(entries.len(), 9);
        assert!(entries.iter().all(|x| !x.working && x.name == "春节"));
        // A one-day make-up Saturday.
        let w = DaysEdit::parse("2027-01-30", "", "work", "春节调休上班").unwrap();
        assert_eq!(w.entries().len(), 1);
        let cal = Calendar::new([2027], entries.into_iter().chain(w.entries()));
        assert_eq!(cal.day_kind(d(2027, 1, 30)), DayKind::MakeUpWorkday);
        assert_eq!(cal.day_kind(d(2027, 2, 8)), DayKind::Holiday);
    }

    #[test]
    fn ordinary_days() {
        let cal = Calendar::china_2025_2026();
        assert_eq!(cal.day_kind(d(2026, 11, 27)), DayKind::Workday); // Friday
        assert_eq!(cal.day_kind(d(2026, 11, 28)), DayKind::Weekend); // Saturday
        assert_eq!(cal.day_name(d(2026, 2, 14)), Some("春节调休上班"));
    }

    #[test]
    fn the_event_day_never_counts() {
        let cal = Calendar::china_2025_2026();
        // Monday → Tuesday.
        assert_eq!(
            cal.add_working_days(d(2026, 11, 23), 1).value,
            d(2026, 11, 24)
        );
        // Friday → Monday.
        assert_eq!(
            cal.add_working_days(d(2026, 11, 27), 1).value,
            d(2026, 11, 30)
        );
        // Received on a Saturday: the next working day is Monday.
        assert_eq!(
            cal.add_working_days(d(2026, 11, 28), 1).value,
            d(2026, 11, 30)
        );
        assert_eq!(
            cal.add_working_days(d(2026, 11, 27), 0).value,
            d(2026, 11, 27)
        );
    }

    #[test]
    fn spring_festival_2026() {
        let cal = Calendar::china_2025_2026();
        // Friday 13 Feb → Saturday 14 Feb is a make-up workday.
        assert_eq!(
            cal.add_working_days(d(2026, 2, 13), 1).value,
            d(2026, 2, 14)
        );
        // Saturday 14 Feb + 1 → the holiday runs 15–23 → Tuesday 24 Feb.
        assert_eq!(
            cal.add_working_days(d(2026, 2, 14), 1).value,
            d(2026, 2, 24)
        );
        assert_eq!(
            cal.add_working_days(d(2026, 2, 13), 2).value,
            d(2026, 2, 24)
        );
        // 27 Feb (Fri) + 1 → 28 Feb (Sat, make-up) ; + 2 → 2 Mar (Mon).
        assert_eq!(
            cal.add_working_days(d(2026, 2, 27), 1).value,
            d(2026, 2, 28)
        );
        assert_eq!(cal.add_working_days(d(2026, 2, 27), 2).value, d(2026, 3, 2));
        assert_eq!(
            cal.holidays_within(d(2026, 2, 14), d(2026, 2, 24)),
            vec![(d(2026, 2, 15), d(2026, 2, 23), "春节".to_string())]
        );
    }

    #[test]
    fn national_day_2025_and_2026() {
        let cal = Calendar::china_2025_2026();
        // 2025: Sep 30 (Tue) + 1 → Oct 9 (Thu), 11 Oct (Sat) is worked.
        assert_eq!(
            cal.add_working_days(d(2025, 9, 30), 1).value,
            d(2025, 10, 9)
        );
        assert_eq!(
            cal.add_working_days(d(2025, 10, 10), 1).value,
            d(2025, 10, 11)
        );
        // 2026: Sep 30 (Wed) + 1 → Oct 8 (Thu).
        assert_eq!(
            cal.add_working_days(d(2026, 9, 30), 1).value,
            d(2026, 10, 8)
        );
        assert_eq!(
            cal.add_working_days(d(2026, 10, 9), 1).value,
            d(2026, 10, 10)
        );
    }

    #[test]
    fn year_boundaries() {
        let cal = Calendar::china_2025_2026();
        // 2025-12-31 (Wed) + 1 → Jan 1–3 off → Jan 4 2026 (Sun) is a make-up workday.
        let r = cal.add_working_days(d(2025, 12, 31), 1);
        assert_eq!(r.value, d(2026, 1, 4));
        assert!(!r.weekends_only);
        // 2026-12-31 (Thu) + 1 → 2027 has no data: weekends only, and it says so.
        let r = cal.add_working_days(d(2026, 12, 31), 1);
        assert_eq!(r.value, d(2027, 1, 1));
        assert!(r.weekends_only);
        let r = cal.add_working_days(d(2024, 12, 30), 1);
        assert!(r.weekends_only);
    }

    #[test]
    fn counting_between() {
        let cal = Calendar::china_2025_2026();
        assert_eq!(
            cal.working_days_between(d(2026, 2, 13), d(2026, 2, 24))
                .value,
            2
        );
        assert_eq!(
            cal.working_days_between(d(2026, 11, 23), d(2026, 11, 23))
                .value,
            0
        );
        assert_eq!(
            cal.working_days_between(d(2026, 11, 24), d(2026, 11, 23))
                .value,
            0
        );
        assert_eq!(
            cal.working_days_between(d(2026, 11, 20), d(2026, 11, 30))
                .value,
            6
        );
    }

    #[test]
    fn adding_and_counting_agree() {
        let cal = Calendar::china_2025_2026();
        let mut day = d(2024, 12, 1);
        while day < d(2027, 2, 1) {
            for n in [1, 2, 5, 20] {
                let due = cal.add_working_days(day, n).value;
                assert_eq!(cal.working_days_between(day, due).value, n, "{day} + {n}");
                assert!(cal.is_working_day(due));
            }
            day += Duration::days(3);
        }
    }

    proptest::proptest! {
        /// A date sent as its day number comes back as the same date; a number that is no
        /// date is refused, not turned into one.
        #[test]
        fn a_day_number_comes_back_as_its_date(n in -1_000_000i32..1_000_000) {
            #[derive(Serialize, Deserialize)]
            struct Sent(#[serde(with = "day_number")] NaiveDate);
            let date = d(2026, 1, 1) + Duration::days(n.into());
            let text = serde_json::to_string(&Sent(date)).unwrap();
            proptest::prop_assert_eq!(serde_json::from_str::<Sent>(&text).unwrap().0, date);
            proptest::prop_assert!(serde_json::from_str::<Sent>(&i32::MAX.to_string()).is_err());
        }

        /// Any run of days within the limit is accepted as days off and covers exactly those
        /// days; as make-up workdays it is accepted exactly when every day is a weekend.
        #[test]
        fn an_edit_sets_exactly_its_days(start in 0i64..(366 * 3), len in 0i64..MAX_EDIT_DAYS) {
            let from = d(2026, 1, 1) + Duration::days(start);
            let to = from + Duration::days(len);
            let (f, t) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
            let off = DaysEdit::parse(&f, &t, "off", "假日").unwrap();
            let days: Vec<NaiveDate> = off.entries().iter().map(|e| e.date).collect();
            proptest::prop_assert_eq!(days.len() as i64, len + 1);
            proptest::prop_assert_eq!(days.first().copied(), Some(from));
            proptest::prop_assert_eq!(days.last().copied(), Some(to));
            let all_weekend = days.iter().all(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
            proptest::prop_assert_eq!(DaysEdit::parse(&f, &t, "work", "调休").is_ok(), all_weekend);
        }
    }
}
