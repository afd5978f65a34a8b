//! Before an application (咨询, 预约): questions and their answer time in working hours, a
//! center's time slots, and the limits on changing a booking. The same rules in the browser and
//! on the server.

use crate::calendar::Calendar;
use crate::FieldError;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

/// Office hours of the centers (周一至周五 8:30-12:00，14:30-17:30, working days only), as
/// (start, end) minutes after midnight, Beijing time.
pub const OFFICE_HOURS: [(u32, u32); 2] = [(8 * 60 + 30, 12 * 60), (14 * 60 + 30, 17 * 60 + 30)];

/// A slot lasts this long.
pub const SLOT_MINUTES: u32 = 30;

/// A booking may be cancelled or moved until this long before its slot starts.
pub const CHANGE_BEFORE: Duration = Duration::hours(2);

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The start of each slot of a working day, Beijing time: every half hour of the office hours.
pub fn slot_starts() -> Vec<NaiveTime> {
    OFFICE_HOURS
        .iter()
        .flat_map(|&(from, to)| (from..to).step_by(SLOT_MINUTES as usize))
        .filter_map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
        .collect()
}

/// The slots of `day` as instants; none on a day off.
pub fn slots_of(cal: &Calendar, day: NaiveDate) -> Vec<DateTime<Utc>> {
    if !cal.is_working_day(day) {
        return Vec::new();
    }
    slot_starts()
        .into_iter()
        .filter_map(|t| beijing().from_local_datetime(&day.and_time(t)).single())
        .map(|t| t.with_timezone(&Utc))
        .collect()
}

/// Whether a booking of the slot starting at `starts_at` may still be cancelled or moved.
pub fn may_change(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now + CHANGE_BEFORE <= starts_at
}

/// Whether the slot may be booked now: it has not started.
pub fn bookable(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < starts_at
}

/// Working hours between two instants: the office hours of working days that lie between them
/// (a question asked in the evening and answered next morning at 9:00 took half an hour).
pub fn working_hours(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    if to <= from {
        return 0.0;
    }
    let tz = beijing();
    let (from, to) = (from.with_timezone(&tz), to.with_timezone(&tz));
    let mut seconds = 0i64;
    let mut day = from.date_naive();
    while day <= to.date_naive() {
        if cal.is_working_day(day) {
            for &(start, end) in &OFFICE_HOURS {
                let at =
                    |m: u32| {
                        tz.from_local_datetime(&day.and_time(
                            NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or_default(),
                        ))
                        .single()
                    };
                if let (Some(s), Some(e)) = (at(start), at(end)) {
                    let (s, e) = (s.max(from), e.min(to));
                    if e > s {
                        seconds += (e - s).num_seconds();
                    }
                }
            }
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    // To the hundredth of an hour, as stored.
    (seconds as f64 / 3600.0 * 100.0).round() / 100.0
}

/// A question about an item, as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub question: String,
}

impl Question {
    pub fn parse(question: &str) -> Result<Question, Vec<FieldError>> {
        let question = question.trim();
        match question.chars().count() {
            0..5 => Err(vec![FieldError::new(
                "question",
                "请写明要咨询的问题（至少5个字）",
            )]),
            5..=500 => Ok(Question {
                question: question.to_string(),
            }),
            _ => Err(vec![FieldError::new("question", "问题不能超过500字")]),
        }
    }
}

/// An agent's answer to a question.
pub fn parse_answer(body: &str) -> Result<String, FieldError> {
    let body = body.trim();
    match body.chars().count() {
        0..2 => Err(FieldError::new("body", "请填写答复内容")),
        2..=1000 => Ok(body.to_string()),
        _ => Err(FieldError::new("body", "答复不能超过1000字")),
    }
}

/// What a booking is for: applying for the item, or a pre-guidance session (事前辅导) about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingPurpose {
    Apply,
    PreGuidance,
}

impl BookingPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingPurpose::Apply => "apply",
            BookingPurpose::PreGuidance => "pre_guidance",
        }
    }

    pub fn parse(s: &str) -> Option<BookingPurpose> {
        [BookingPurpose::Apply, BookingPurpose::PreGuidance]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            BookingPurpose::Apply => "办理申请",
            BookingPurpose::PreGuidance => "事前辅导",
        }
    }
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Booked,
    Cancelled,
    Attended,
    NoShow,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Attended => "attended",
            BookingStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<BookingStatus> {
        [
            BookingStatus::Booked,
            BookingStatus::Cancelled,
            BookingStatus::Attended,
            BookingStatus::NoShow,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            BookingStatus::Booked => "已预约",
            BookingStatus::Cancelled => "已取消",
            BookingStatus::Attended => "已到场",
            BookingStatus::NoShow => "未到场",
        }
    }
}

/// The day's arrival of a booked person: only once the slot has started (so a no-show is not
/// recorded early), and only of a live booking.
pub fn may_record_arrival(
    status: BookingStatus,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    status == BookingStatus::Booked && now >= starts_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        beijing()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_working_day_has_thirteen_half_hour_slots_and_a_holiday_none() {
        let cal = Calendar::china_2025_2026();
        // Tue 2026-12-01 is a working day; 2026-10-01 is National Day.
        let slots = slots_of(&cal, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(slots.len(), 13);
        assert_eq!(slots[0], at(2026, 12, 1, 8, 30));
        assert_eq!(slots[12], at(2026, 12, 1, 17, 0));
        assert!(slots_of(&cal, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()).is_empty());
        // A make-up working Saturday (2026-10-10) has slots.
        assert_eq!(
            slots_of(&cal, NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()).len(),
            13
        );
    }

    #[test]
    fn changes_stop_two_hours_before_the_slot() {
        let slot = at(2026, 12, 1, 9, 0);
        assert!(may_change(slot, at(2026, 12, 1, 7, 0)));
        assert!(!may_change(slot, at(2026, 12, 1, 7, 1)));
        assert!(bookable(slot, at(2026, 12, 1, 8, 59)));
        assert!(!bookable(slot, at(2026, 12, 1, 9, 0)));
        assert!(!may_record_arrival(
            BookingStatus::Booked,
            slot,
            at(2026, 12, 1, 8, 59)
        ));
        assert!(may_record_arrival(BookingStatus::Booked, slot, slot));
        assert!(!may_record_arrival(BookingStatus::Cancelled, slot, slot));
    }

    #[test]
    fn working_hours_count_only_office_hours_of_working_days() {
        let cal = Calendar::china_2025_2026();
        // Asked Monday evening, answered Tuesday 9:00: half an hour.
        assert_eq!(
            working_hours(&cal, at(2026, 11, 30, 19, 0), at(2026, 12, 1, 9, 0)),
            0.5
        );
        // Asked Friday 17:00, answered Monday 8:45: 0.5 + 0.25.
        assert_eq!(
            working_hours(&cal, at(2026, 12, 4, 17, 0), at(2026, 12, 7, 8, 45)),
            0.75
        );
        // Over lunch nothing counts.
        assert_eq!(
            working_hours(&cal, at(2026, 12, 1, 12, 0), at(2026, 12, 1, 14, 30)),
            0.0
        );
        // A whole working day is 6.5 hours; the National Day week counts none.
        assert_eq!(
            working_hours(&cal, at(2026, 12, 1, 0, 0), at(2026, 12, 2, 0, 0)),
            6.5
        );
        assert_eq!(
            working_hours(&cal, at(2026, 10, 1, 0, 0), at(2026, 10, 8, 0, 0)),
            0.0
        );
    }

    #[test]
    fn questions_and_answers_are_checked() {
        assert!(Question::parse("  营业执照 ").is_err());
        assert!(Question::parse("开饭店要准备哪些材料？").is_ok());
        assert_eq!(
            Question::parse(&"问".repeat(501)).unwrap_err()[0].field,
            "question"
        );
        assert!(parse_answer(" ").is_err());
        assert_eq!(parse_answer(" 需要营业执照 ").unwrap(), "需要营业执照");
    }

    proptest! {
        /// Splitting an interval anywhere splits its working hours, and no interval has more
        /// working hours than wall-clock hours.
        #[test]
        fn working_hours_add_up(a in 0i64..(60 * 24 * 40), b in 0i64..(60 * 24 * 40), c in 0i64..(60 * 24 * 40)) {
            let cal = Calendar::china_2025_2026();
            let mut m = [a, b, c];
            m.sort();
            let base = at(2026, 9, 20, 0, 0);
            let t = |x: i64| base + Duration::minutes(x);
            let whole = working_hours(&cal, t(m[0]), t(m[2]));
            let parts = working_hours(&cal, t(m[0]), t(m[1])) + working_hours(&cal, t(m[1]), t(m[2]));
            prop_assert!((whole - parts).abs() < 0.02);
            prop_assert!(whole <= (m[2] - m[0]) as f64 / 60.0 + 0.01);
        }
    }
}
