//! The county center's oversight (保障措施): blockages raised on cases (堵点) and the
//! coordination meetings that resolve them (协调会议), inspections of a unit against a checklist
//! with a sample of its cases drawn reproducibly (监督检查), rectifications tracked to closure,
//! and 通报 (criticism or commendation).

use crate::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an inspection checks of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckItem {
    TeamFiled,
    ListCurrent,
    NoticesComplete,
    ClocksMet,
    FilesComplete,
}

impl CheckItem {
    pub const ALL: [CheckItem; 5] = [
        CheckItem::TeamFiled,
        CheckItem::ListCurrent,
        CheckItem::NoticesComplete,
        CheckItem::ClocksMet,
        CheckItem::FilesComplete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckItem::TeamFiled => "team_filed",
            CheckItem::ListCurrent => "list_current",
            CheckItem::NoticesComplete => "notices_complete",
            CheckItem::ClocksMet => "clocks_met",
            CheckItem::FilesComplete => "files_complete",
        }
    }

    pub fn parse(s: &str) -> Option<CheckItem> {
        CheckItem::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckItem::TeamFiled => "帮办代办队伍已登记备案",
            CheckItem::ListCurrent => "事项清单已公示且为现行版本",
            CheckItem::NoticesComplete => "一次性告知完整（无二次告知）",
            CheckItem::ClocksMet => "各环节时限按时办结",
            CheckItem::FilesComplete => "案卷材料齐全",
        }
    }
}

/// 通报: criticism or commendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulletinKind {
    Criticism,
    Commendation,
}

impl BulletinKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BulletinKind::Criticism => "criticism",
            BulletinKind::Commendation => "commendation",
        }
    }

    pub fn parse(s: &str) -> Option<BulletinKind> {
        match s {
            "criticism" => Some(BulletinKind::Criticism),
            "commendation" => Some(BulletinKind::Commendation),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BulletinKind::Criticism => "通报批评",
            BulletinKind::Commendation => "通报表扬",
        }
    }
}

/// `n` cases drawn from `population` by `seed`: the same population and seed always give the
/// same sample, in the same order, so anyone can check the draw afterwards. The population's
/// order does not matter (it is sorted first).
pub fn draw_sample(population: &[i64], n: usize, seed: u64) -> Vec<i64> {
    let mut ids = population.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut state = seed;
    // SplitMix64: small, fixed and public, so the draw can be redone by hand.
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let take = n.min(ids.len());
    for i in 0..take {
        let j = i + (next() % (ids.len() - i) as u64) as usize;
        ids.swap(i, j);
    }
    ids.truncate(take);
    ids
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    v: &str,
    min: usize,
    max: usize,
) -> String {
    let t = v.trim().to_string();
    let n = t.chars().count();
    if n < min {
        errors.push(FieldError::new(
            field,
            if min <= 1 {
                format!("请填写{label}")
            } else {
                format!("请填写{label}（至少{min}个字）")
            },
        ));
    } else if n > max {
        errors.push(FieldError::new(field, format!("{label}请不超过{max}字")));
    }
    t
}

fn date(errors: &mut Vec<FieldError>, field: &str, label: &str, v: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("{label}格式应为“2026-12-01”"),
            ));
            None
        }
    }
}

fn done<T>(errors: Vec<FieldError>, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() {
        Ok(value())
    } else {
        Err(errors)
    }
}

/// A blockage raised on a case: what is stuck, between which departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blockage {
    pub what: String,
    pub departments: Vec<i64>,
}

impl Blockage {
    pub fn parse(what: &str, departments: &[i64]) -> Result<Blockage, Vec<FieldError>> {
        let mut errors = Vec::new();
        let what = text(&mut errors, "what", "卡在哪里", what, 5, 1000);
        let mut departments = departments.to_vec();
        departments.sort_unstable();
        departments.dedup();
        if departments.is_empty() {
            errors.push(FieldError::new("departments", "请选择涉及的部门"));
        }
        done(errors, || Blockage { what, departments })
    }
}

/// A coordination meeting as convened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub held_on: NaiveDate,
    pub place: String,
    pub attendees: String,
    pub departments: Vec<i64>,
    pub blockages: Vec<i64>,
}

impl Meeting {
    pub fn parse(
        held_on: &str,
        place: &str,
        attendees: &str,
        departments: &[i64],
        blockages: &[i64],
    ) -> Result<Meeting, Vec<FieldError>> {
        let mut errors = Vec::new();
        let held_on = date(&mut errors, "held_on", "会议日期", held_on);
        let place = text(&mut errors, "place", "会议地点", place, 2, 100);
        let attendees = text(&mut errors, "attendees", "参会人员", attendees, 2, 1000);
        let mut departments = departments.to_vec();
        departments.sort_unstable();
        departments.dedup();
        if departments.is_empty() {
            errors.push(FieldError::new("departments", "请选择参会部门"));
        }
        let mut blockages = blockages.to_vec();
        blockages.sort_unstable();
        blockages.dedup();
        if blockages.is_empty() {
            errors.push(FieldError::new("blockages", "请选择本次会议协调的堵点"));
        }
        done(errors, || Meeting {
            held_on: held_on.expect("no errors"),
            place,
            attendees,
            departments,
            blockages,
        })
    }
}

/// Something decided (a meeting's resolution) or to be put right (an inspection's
/// rectification), with whoever owns it and the day it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
}

impl Action {
    pub fn parse(
        text_: &str,
        owner: &str,
        due: &str,
        today: NaiveDate,
    ) -> Result<Action, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text_ = text(&mut errors, "text", "事项内容", text_, 5, 1000);
        let owner = text(&mut errors, "owner", "责任单位或责任人", owner, 2, 50);
        let due = date(&mut errors, "due", "完成期限", due);
        if due.is_some_and(|d| d < today) {
            errors.push(FieldError::new("due", "完成期限不能早于今天"));
        }
        done(errors, || Action {
            text: text_,
            owner,
            due: due.expect("no errors"),
        })
    }
}

/// An inspection as planned: the unit, the period its cases are drawn from, how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionPlan {
    pub title: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sample_size: usize,
}

pub const MAX_SAMPLE: usize = 50;

impl InspectionPlan {
    pub fn parse(
        title: &str,
        from: &str,
        to: &str,
        sample_size: &str,
    ) -> Result<InspectionPlan, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = text(&mut errors, "title", "检查名称", title, 2, 100);
        let from = date(&mut errors, "from", "抽查起始日期", from);
        let to = date(&mut errors, "to", "抽查截止日期", to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new("to", "截止日期不能早于起始日期"));
            }
        }
        let sample_size = match sample_size.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_SAMPLE).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    "sample_size",
                    format!("抽查件数请填写1到{MAX_SAMPLE}之间的整数"),
                ));
                0
            }
        };
        done(errors, || InspectionPlan {
            title,
            from: from.expect("no errors"),
            to: to.expect("no errors"),
            sample_size,
        })
    }
}

/// A 通报 as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulletin {
    pub kind: BulletinKind,
    pub title: String,
    pub body: String,
    pub public: bool,
}

impl Bulletin {
    pub fn parse(
        kind: &str,
        title: &str,
        body: &str,
        public: bool,
    ) -> Result<Bulletin, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = BulletinKind::parse(kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "请选择通报批评或通报表扬"));
        }
        let title = text(&mut errors, "title", "通报标题", title, 4, 100);
        let body = text(&mut errors, "body", "通报内容", body, 10, 5000);
        done(errors, || Bulletin {
            kind: kind.expect("no errors"),
            title,
            body,
            public,
        })
    }
}

/// A short record (a finding, a closing note, a check's remark).
pub fn note(field: &str, label: &str, v: &str, min: usize) -> Result<String, FieldError> {
    let mut errors = Vec::new();
    let t = text(&mut errors, field, label, v, min, 2000);
    match errors.pop() {
        Some(e) => Err(e),
        None => Ok(t),
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
    fn a_draw_is_the_same_for_the_same_seed_whatever_the_order() {
        let pop: Vec<i64> = (1..=100).collect();
        let mut reversed = pop.clone();
        reversed.reverse();
        assert_eq!(draw_sample(&pop, 5, 42), draw_sample(&reversed, 5, 42));
        assert_ne!(draw_sample(&pop, 5, 42), draw_sample(&pop, 5, 43));
        assert_eq!(draw_sample(&[7, 3], 5, 1).len(), 2);
        assert!(draw_sample(&[], 5, 1).is_empty());
    }

    #[test]
    fn forms_name_every_wrong_field() {
        let e = Meeting::parse("2026-13-01", "", "", &[], &[]).unwrap_err();
        let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            f,
            ["held_on", "place", "attendees", "departments", "blockages"]
        );
        let e = Action::parse("", "", "2026-11-01", d("2026-11-30")).unwrap_err();
        let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["text", "owner", "due"]);
        let e = InspectionPlan::parse("", "2026-11-30", "2026-11-01", "0").unwrap_err();
        let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["title", "to", "sample_size"]);
        let e = Bulletin::parse("praise", "", "", false).unwrap_err();
        assert_eq!(e.len(), 3);
        assert!(
            Blockage::parse("规划与住建对退线要求不一致", &[3, 3, 2])
                .unwrap()
                .departments
                == [2, 3]
        );
        assert_eq!(Blockage::parse("卡", &[]).unwrap_err().len(), 2);
    }

    #[test]
    fn check_items_round_trip() {
        for c in CheckItem::ALL {
            assert_eq!(CheckItem::parse(c.as_str()), Some(c));
        }
    }

    proptest! {
        #[test]
        fn a_sample_is_distinct_members_of_the_population(
            pop in proptest::collection::vec(0i64..500, 0..80), n in 0usize..60, seed: u64
        ) {
            let s = draw_sample(&pop, n, seed);
            let mut distinct = pop.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(s.len(), n.min(distinct.len()));
            let mut sorted = s.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), s.len());
            prop_assert!(s.iter().all(|x| pop.contains(x)));
            prop_assert_eq!(draw_sample(&pop, n, seed), s);
        }
    }
}
