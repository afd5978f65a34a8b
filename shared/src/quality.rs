//! Service quality (保障措施): ratings of finished cases (好差评), the follow-up a bad rating
//! opens (回访, 整改), complaints (投诉) and their limits. The rules here are the same in the
//! browser and on the server.

use crate::calendar::Calendar;
use crate::case::CaseState;
use crate::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The five levels of a rating, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    FairlySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 5] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::FairlySatisfied,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ];

    /// 5 for 非常满意 down to 1 for 非常不满意: how it is stored.
    pub fn score(self) -> i16 {
        match self {
            Satisfaction::VerySatisfied => 5,
            Satisfaction::Satisfied => 4,
            Satisfaction::FairlySatisfied => 3,
            Satisfaction::Dissatisfied => 2,
            Satisfaction::VeryDissatisfied => 1,
        }
    }

    pub fn from_score(score: i16) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|s| s.score() == score)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "very_satisfied",
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::FairlySatisfied => "fairly_satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
            Satisfaction::VeryDissatisfied => "very_dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "非常满意",
            Satisfaction::Satisfied => "满意",
            Satisfaction::FairlySatisfied => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
            Satisfaction::VeryDissatisfied => "非常不满意",
        }
    }

    /// The bottom two: a comment is required and a follow-up opens.
    pub fn is_bad(self) -> bool {
        matches!(
            self,
            Satisfaction::Dissatisfied | Satisfaction::VeryDissatisfied
        )
    }

    /// Counts towards the satisfaction rate (非常满意 + 满意).
    pub fn is_good(self) -> bool {
        matches!(self, Satisfaction::VerySatisfied | Satisfaction::Satisfied)
    }
}

pub const COMMENT_MAX_CHARS: usize = 500;

/// A rating as the applicant gave it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub level: Satisfaction,
    pub comment: String,
}

impl Rating {
    /// Checks the form's fields: a level chosen; a comment for the bottom two; not too long.
    pub fn parse(level: &str, comment: &str) -> Result<Rating, Vec<FieldError>> {
        let comment = comment.trim().to_string();
        let mut errors = Vec::new();
        let level = Satisfaction::parse(level.trim());
        match level {
            None => errors.push(FieldError::new("level", "请选择满意程度")),
            Some(l) if l.is_bad() && comment.chars().count() < 5 => errors.push(FieldError::new(
                "comment",
                "请写明不满意的原因（至少5个字），以便我们改进",
            )),
            _ => {}
        }
        if comment.chars().count() > COMMENT_MAX_CHARS {
            errors.push(FieldError::new(
                "comment",
                format!("评价内容请不超过{COMMENT_MAX_CHARS}字"),
            ));
        }
        match level {
            Some(level) if errors.is_empty() => Ok(Rating { level, comment }),
            _ => Err(errors),
        }
    }
}

/// Whether a case in `state` may be rated: it is finished, by a result, a termination or
/// guidance given. A withdrawn case was not served to the end.
pub fn rateable(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Completed | CaseState::Terminated | CaseState::Guided
    )
}

/// Which round the applicant may rate now, if any: the first rating once; a second only after a
/// bad first rating's follow-up recorded its rectification. Never a third.
pub fn next_round(first: Option<Satisfaction>, second_given: bool, rectified: bool) -> Option<i16> {
    match first {
        None => Some(1),
        Some(l) if l.is_bad() && rectified && !second_given => Some(2),
        Some(_) => None,
    }
}

/// How long the unit has for each step, in working days (configurable by supervisors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityLimits {
    /// Contact the applicant after a bad rating (回访).
    pub contact_days: u32,
    /// Record what was found and rectified (整改).
    pub rectify_days: u32,
    /// Handle a complaint and answer the complainant.
    pub complaint_days: u32,
}

impl Default for QualityLimits {
    fn default() -> Self {
        QualityLimits {
            contact_days: 1,
            rectify_days: 15,
            complaint_days: 5,
        }
    }
}

impl QualityLimits {
    /// Checks the settings form: whole working days, 1 to 60 each.
    pub fn parse(contact: &str, rectify: &str, complaint: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut days = |field: &str, label: &str, v: &str| match v.trim().parse::<u32>() {
            Ok(n) if (1..=60).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    field,
                    format!("{label}请填写1到60之间的整数（工作日）"),
                ));
                0
            }
        };
        let limits = QualityLimits {
            contact_days: days("contact_days", "回访时限", contact),
            rectify_days: days("rectify_days", "整改时限", rectify),
            complaint_days: days("complaint_days", "投诉办理时限", complaint),
        };
        if errors.is_empty() {
            Ok(limits)
        } else {
            Err(errors)
        }
    }

    /// The follow-up's two due days for a bad rating given on `rated_on`.
    pub fn follow_up_due(&self, cal: &Calendar, rated_on: NaiveDate) -> (NaiveDate, NaiveDate) {
        (
            cal.add_working_days(rated_on, self.contact_days).value,
            cal.add_working_days(rated_on, self.rectify_days).value,
        )
    }
}

/// Where a follow-up stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    /// The applicant is to be contacted (by the contact due day).
    ToContact,
    ContactOverdue,
    /// Contacted; what was found and rectified is to be recorded.
    ToRectify,
    RectifyOverdue,
    /// Rectification recorded: the applicant may rate again.
    Closed,
}

impl FollowUpStatus {
    pub fn of(
        contact_due: NaiveDate,
        rectify_due: NaiveDate,
        contacted: bool,
        rectified: bool,
        today: NaiveDate,
    ) -> FollowUpStatus {
        match (contacted, rectified) {
            (_, true) => FollowUpStatus::Closed,
            (false, _) if today > contact_due => FollowUpStatus::ContactOverdue,
            (false, _) => FollowUpStatus::ToContact,
            (true, _) if today > rectify_due => FollowUpStatus::RectifyOverdue,
            (true, _) => FollowUpStatus::ToRectify,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FollowUpStatus::ToContact => "待回访",
            FollowUpStatus::ContactOverdue => "回访超期",
            FollowUpStatus::ToRectify => "待整改",
            FollowUpStatus::RectifyOverdue => "整改超期",
            FollowUpStatus::Closed => "已整改",
        }
    }

    pub fn overdue(self) -> bool {
        matches!(
            self,
            FollowUpStatus::ContactOverdue | FollowUpStatus::RectifyOverdue
        )
    }
}

/// A recorded step of a follow-up: a note of at least a few words.
pub fn follow_up_note(field: &str, label: &str, text: &str) -> Result<String, FieldError> {
    let t = text.trim();
    let n = t.chars().count();
    if n < 5 {
        Err(FieldError::new(
            field,
            format!("请填写{label}（至少5个字）"),
        ))
    } else if n > 2000 {
        Err(FieldError::new(field, format!("{label}请不超过2000字")))
    } else {
        Ok(t.to_string())
    }
}

/// A complaint as the form gave it, checked field by field. The phone is proven separately
/// (a code, or the logged-in account's verified phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    pub center_id: i64,
    pub agent_name: String,
    pub case_number: String,
    pub misconduct: bool,
    pub content: String,
}

impl Complaint {
    pub fn parse(
        center: &str,
        agent_name: &str,
        case_number: &str,
        misconduct: bool,
        content: &str,
    ) -> Result<Complaint, Vec<FieldError>> {
        let mut errors = Vec::new();
        let center_id = match center.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                errors.push(FieldError::new("center", "请选择被投诉的服务中心"));
                0
            }
        };
        let agent_name = agent_name.trim().to_string();
        if agent_name.chars().count() > 20 {
            errors.push(FieldError::new("agent_name", "姓名请不超过20个字"));
        }
        let case_number = case_number.trim().to_uppercase();
        if !case_number.is_empty()
            && (case_number.len() > 30
                || !case_number
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            errors.push(FieldError::new(
                "case_number",
                "申请编号只含字母、数字和“-”，可不填",
            ));
        }
        let content = content.trim().to_string();
        match content.chars().count() {
            n if n < 10 => errors.push(FieldError::new(
                "content",
                "请写明投诉的事情经过（至少10个字）",
            )),
            n if n > 1000 => errors.push(FieldError::new("content", "投诉内容请不超过1000字")),
            _ => {}
        }
        if errors.is_empty() {
            Ok(Complaint {
                center_id,
                agent_name,
                case_number,
                misconduct,
                content,
            })
        } else {
            Err(errors)
        }
    }
}

/// Satisfaction = (非常满意 + 满意) ÷ all ratings; none when nobody rated.
pub fn satisfaction_rate(good: i64, all: i64) -> Option<f64> {
    (all > 0).then(|| good as f64 / all as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_bottom_two_need_a_reason_and_the_others_do_not() {
        assert!(Rating::parse("satisfied", "").is_ok());
        assert!(Rating::parse("fairly_satisfied", " ").is_ok());
        let e = Rating::parse("dissatisfied", "慢").unwrap_err();
        assert_eq!(e[0].field, "comment");
        let ok = Rating::parse("very_dissatisfied", "  窗口让我跑了三次  ").unwrap();
        assert_eq!(ok.comment, "窗口让我跑了三次");
        assert_eq!(Rating::parse("", "很好").unwrap_err()[0].field, "level");
        assert_eq!(Rating::parse("great", "").unwrap_err()[0].field, "level");
        let long = "好".repeat(COMMENT_MAX_CHARS + 1);
        assert_eq!(
            Rating::parse("satisfied", &long).unwrap_err()[0].field,
            "comment"
        );
    }

    #[test]
    fn a_case_is_rated_once_and_again_only_after_rectification() {
        use Satisfaction::*;
        assert_eq!(next_round(None, false, false), Some(1));
        assert_eq!(next_round(Some(Satisfied), false, false), None);
        assert_eq!(next_round(Some(Dissatisfied), false, false), None);
        assert_eq!(next_round(Some(Dissatisfied), false, true), Some(2));
        assert_eq!(next_round(Some(VeryDissatisfied), true, true), None);
    }

    #[test]
    fn only_finished_cases_are_rated() {
        assert!(rateable(CaseState::Completed));
        assert!(rateable(CaseState::Terminated));
        assert!(rateable(CaseState::Guided));
        assert!(!rateable(CaseState::Withdrawn));
        assert!(!rateable(CaseState::AtWindow));
    }

    #[test]
    fn follow_up_limits_count_working_days() {
        let cal = Calendar::china_2025_2026();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Rated on Friday 2026-09-25: contact by Monday 09-28; 15 working days over National
        // Day (10-01..10-07 off, Saturday 10-10 a make-up workday) end on Thursday 10-22.
        let (contact, rectify) = QualityLimits::default().follow_up_due(&cal, d("2026-09-25"));
        assert_eq!(contact, d("2026-09-28"));
        assert_eq!(rectify, d("2026-10-22"));
        let st = |c, r, today| FollowUpStatus::of(contact, rectify, c, r, d(today));
        assert_eq!(st(false, false, "2026-09-28"), FollowUpStatus::ToContact);
        assert_eq!(
            st(false, false, "2026-09-29"),
            FollowUpStatus::ContactOverdue
        );
        assert_eq!(st(true, false, "2026-10-22"), FollowUpStatus::ToRectify);
        assert_eq!(
            st(true, false, "2026-10-23"),
            FollowUpStatus::RectifyOverdue
        );
        assert_eq!(st(true, true, "2027-01-01"), FollowUpStatus::Closed);
    }

    #[test]
    fn a_complaint_names_every_wrong_field() {
        let e = Complaint::parse("", &"张".repeat(21), "BB 2026", false, "太慢").unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["center", "agent_name", "case_number", "content"]);
        let ok = Complaint::parse(
            "3",
            " 王代办 ",
            "bb20261130-0001",
            true,
            "办事时要求请吃饭，否则不给办理",
        )
        .unwrap();
        assert_eq!(ok.case_number, "BB20261130-0001");
        assert_eq!(ok.agent_name, "王代办");
        assert!(ok.misconduct);
    }

    #[test]
    fn limits_are_checked_field_by_field() {
        assert_eq!(
            QualityLimits::parse("1", "15", "5").unwrap(),
            QualityLimits::default()
        );
        let e = QualityLimits::parse("0", "x", "61").unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contact_days", "rectify_days", "complaint_days"]);
    }

    proptest! {
        #[test]
        fn levels_round_trip(i in 0usize..5) {
            let l = Satisfaction::ALL[i];
            prop_assert_eq!(Satisfaction::parse(l.as_str()), Some(l));
            prop_assert_eq!(Satisfaction::from_score(l.score()), Some(l));
            prop_assert!(!(l.is_bad() && l.is_good()));
        }

        #[test]
        fn a_rating_that_parses_keeps_its_level_and_a_reason_when_bad(
            i in 0usize..5, comment in "\\PC{0,40}"
        ) {
            let l = Satisfaction::ALL[i];
            match Rating::parse(l.as_str(), &comment) {
                Ok(r) => {
                    prop_assert_eq!(r.level, l);
                    prop_assert!(!l.is_bad() || r.comment.chars().count() >= 5);
                }
                Err(e) => prop_assert!(l.is_bad() && e.iter().all(|e| e.field == "comment")),
            }
        }

        #[test]
        fn never_more_than_two_rounds(first in proptest::option::of(0usize..5), second: bool, rectified: bool) {
            let first = first.map(|i| Satisfaction::ALL[i]);
            let round = next_round(first, second, rectified);
            prop_assert!(round.is_none_or(|r| r == 1 || r == 2));
            if first.is_some() && !first.unwrap().is_bad() {
                prop_assert_eq!(round, None);
            }
        }

        #[test]
        fn the_rate_is_a_share(good in 0i64..1000, extra in 0i64..1000) {
            let r = satisfaction_rate(good, good + extra);
            if good + extra == 0 {
                prop_assert!(r.is_none());
            } else {
                let r = r.unwrap();
                prop_assert!((0.0..=1.0).contains(&r));
            }
        }
    }
}
