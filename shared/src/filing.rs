//! Filing (登记备案) of item lists and agent teams with the county center: a unit edits a draft,
//! submits it, and a supervisor files it (it becomes the public version) or returns it.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    Draft,
    Submitted,
    Returned,
    Filed,
    Superseded,
}

impl FilingStatus {
    pub fn parse(s: &str) -> Option<FilingStatus> {
        Some(match s {
            "draft" => FilingStatus::Draft,
            "submitted" => FilingStatus::Submitted,
            "returned" => FilingStatus::Returned,
            "filed" => FilingStatus::Filed,
            "superseded" => FilingStatus::Superseded,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FilingStatus::Draft => "draft",
            FilingStatus::Submitted => "submitted",
            FilingStatus::Returned => "returned",
            FilingStatus::Filed => "filed",
            FilingStatus::Superseded => "superseded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FilingStatus::Draft => "草稿",
            FilingStatus::Submitted => "已提交，待备案",
            FilingStatus::Returned => "已退回",
            FilingStatus::Filed => "已备案（公示中）",
            FilingStatus::Superseded => "已被新版本替代",
        }
    }

    /// Only a draft or a returned version may be edited.
    pub fn editable(self) -> bool {
        matches!(self, FilingStatus::Draft | FilingStatus::Returned)
    }
}

/// One training an agent attended (培训记录), checked before it is recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub held_on: chrono::NaiveDate,
    pub topic: String,
    /// Tenths of an hour, so 1.5 h is 15: no floating point in records.
    pub tenths_of_hours: i32,
}

impl Training {
    /// Parses the form's fields; `today` bounds the date (a training cannot be in the future).
    pub fn parse(
        held_on: &str,
        topic: &str,
        hours: &str,
        today: chrono::NaiveDate,
    ) -> Result<Training, Vec<crate::FieldError>> {
        let mut errors = Vec::new();
        let date = chrono::NaiveDate::parse_from_str(held_on.trim(), "%Y-%m-%d").ok();
        match date {
            None => errors.push(crate::FieldError {
                field: "held_on".into(),
                message: "请填写培训日期，格式如 2026-03-15".into(),
            }),
            Some(d) if d > today => errors.push(crate::FieldError {
                field: "held_on".into(),
                message: "培训日期不能晚于今天".into(),
            }),
            Some(d) if d.year() < 2000 => errors.push(crate::FieldError {
                field: "held_on".into(),
                message: "培训日期不正确".into(),
            }),
            _ => {}
        }
        let topic = topic.trim();
        match topic.chars().count() {
            0 => errors.push(crate::FieldError {
                field: "topic".into(),
                message: "请填写培训内容".into(),
            }),
            1 => errors.push(crate::FieldError {
                field: "topic".into(),
                message: "培训内容至少2个字".into(),
            }),
            n if n > 100 => errors.push(crate::FieldError {
                field: "topic".into(),
                message: "培训内容不能超过100个字".into(),
            }),
            _ => {}
        }
        let tenths = parse_tenths(hours.trim()).filter(|t| (1..=1000).contains(t));
        if tenths.is_none() {
            errors.push(crate::FieldError {
                field: "hours".into(),
                message: "学时应为0.5至100之间的数字，最多一位小数".into(),
            });
        }
        match (date, tenths) {
            (Some(held_on), Some(tenths_of_hours)) if errors.is_empty() => Ok(Training {
                held_on,
                topic: topic.to_string(),
                tenths_of_hours,
            }),
            _ => Err(errors),
        }
    }

    /// "1.5" for 15 tenths, "2" for 20.
    pub fn hours_label(tenths: i32) -> String {
        if tenths % 10 == 0 {
            format!("{}", tenths / 10)
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    }
}

/// "2", "2.5", "０.５" (full-width digits are folded) → tenths of an hour.
fn parse_tenths(s: &str) -> Option<i32> {
    let s = crate::validate::to_half_width(s);
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w.to_string(), f.to_string()),
        None => (s.clone(), String::new()),
    };
    if whole.is_empty() || whole.len() > 3 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tenth = match frac.as_str() {
        "" | "0" => 0,
        f if f.len() == 1 && f.as_bytes()[0].is_ascii_digit() => i32::from(f.as_bytes()[0] - b'0'),
        _ => return None,
    };
    Some(whole.parse::<i32>().ok()? * 10 + tenth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_good_training_is_recorded_in_tenths_of_hours() {
        let t = Training::parse("2026-03-15", " 帮办代办业务培训 ", "1.5", today()).unwrap();
        assert_eq!(t.topic, "帮办代办业务培训");
        assert_eq!(t.tenths_of_hours, 15);
        assert_eq!(Training::hours_label(15), "1.5");
        assert_eq!(Training::hours_label(20), "2");
        assert_eq!(
            Training::parse("2026-03-15", "培训", "２", today())
                .unwrap()
                .tenths_of_hours,
            20
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let errors = Training::parse("2026-12-01", "", "0", today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["held_on", "topic", "hours"]);
        for bad in ["", "abc", "1.25", "-1", "101", "1e2", ".5"] {
            assert!(
                Training::parse("2026-01-01", "培训", bad, today()).is_err(),
                "{bad}"
            );
        }
        assert!(Training::parse("15/03/2026", "培训", "1", today()).is_err());
    }

    #[test]
    fn only_drafts_and_returned_versions_are_editable() {
        use FilingStatus::*;
        for s in [Draft, Submitted, Returned, Filed, Superseded] {
            assert_eq!(s.editable(), matches!(s, Draft | Returned));
            assert_eq!(FilingStatus::parse(s.as_str()), Some(s));
        }
    }

    proptest! {
        #[test]
        fn hours_round_trip_through_their_label(tenths in 1i32..=1000) {
            let label = Training::hours_label(tenths);
            let t = Training::parse("2026-01-01", "培训", &label, today()).unwrap();
            prop_assert_eq!(t.tenths_of_hours, tenths);
        }
    }
}
