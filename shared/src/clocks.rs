//! The clocks of a case (DOMAIN.md "Time rules"), derived from its event list alone. Each party's
//! time is a separate clock so a delay is always attributed to the right one:
//! agent review (1 working day, restarting after each supplement), agent hand-in (2 working days),
//! department processing (the item's promised limit, paused by special steps that do not count)
//! and applicant waiting (no limit).

use crate::calendar::{weekday_zh, Calendar, DayKind};
use crate::case::CaseEvent;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

pub const REVIEW_LIMIT_DAYS: u32 = 1;
pub const HAND_IN_LIMIT_DAYS: u32 = 2;
/// Share of a clock's limit at which it turns amber.
pub const WARNING_SHARE: f32 = 0.75;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedEvent {
    pub at: DateTime<Utc>,
    pub event: CaseEvent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    AgentReview,
    AgentHandIn,
    DepartmentProcessing,
    ApplicantWaiting,
}

impl ClockKind {
    pub const ALL: [ClockKind; 4] = [
        ClockKind::AgentReview,
        ClockKind::AgentHandIn,
        ClockKind::DepartmentProcessing,
        ClockKind::ApplicantWaiting,
    ];
    /// The clocks with a limit: the ones an on-time rate is reported for.
    pub const TIMED: [ClockKind; 3] = [
        ClockKind::AgentReview,
        ClockKind::AgentHandIn,
        ClockKind::DepartmentProcessing,
    ];

    /// The stored name (`case_clocks.kind`, query strings).
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::AgentReview => "agent_review",
            ClockKind::AgentHandIn => "agent_hand_in",
            ClockKind::DepartmentProcessing => "department_processing",
            ClockKind::ApplicantWaiting => "applicant_waiting",
        }
    }

    pub fn parse(s: &str) -> Option<ClockKind> {
        ClockKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The phase's short name in reports (审核 1 个工作日…).
    pub fn phase(self) -> &'static str {
        match self {
            ClockKind::AgentReview => "审核",
            ClockKind::AgentHandIn => "递交",
            ClockKind::DepartmentProcessing => "办理",
            ClockKind::ApplicantWaiting => "申请人补正",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockKind::AgentReview => "代办员审核材料",
            ClockKind::AgentHandIn => "代办员递交窗口",
            ClockKind::DepartmentProcessing => "部门审批办理",
            ClockKind::ApplicantWaiting => "申请人补齐材料",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    Running,
    Paused,
    Met,
    Breached,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    pub kind: ClockKind,
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// Working days allowed; `None` for the applicant's own time.
    pub limit_days: Option<u32>,
    pub due_date: Option<NaiveDate>,
    /// The end of the due day in Beijing time.
    pub due_at: Option<DateTime<Utc>>,
    /// Intervals that do not count (an open one ends `None`).
    pub paused: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// Working days used so far, paused days excluded.
    pub used_days: u32,
    pub status: ClockStatus,
    /// `used_days / limit_days`.
    pub share_used: Option<f32>,
    /// Amber: at least 75% used and not yet breached or stopped.
    pub warning: bool,
    /// Some day involved lies in a year whose holidays are not loaded.
    pub weekends_only: bool,
    pub explanation: String,
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar day of an instant in Beijing.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

/// 23:59:59.999 of `date` in Beijing.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let last = NaiveTime::from_hms_milli_opt(23, 59, 59, 999).expect("valid time");
    beijing()
        .from_local_datetime(&date.and_time(last))
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

/// 00:00 of `date` in Beijing.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    beijing()
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

/// The running (or overdue) clock with a limit that falls due first: what a case waits on.
pub fn next_due(clocks: &[Clock]) -> Option<&Clock> {
    clocks
        .iter()
        .filter(|c| {
            c.stopped_at.is_none()
                && c.limit_days.is_some()
                && matches!(c.status, ClockStatus::Running | ClockStatus::Breached)
        })
        .min_by_key(|c| c.due_at)
}

/// When the clock that falls due first turns amber (75 % of its working days used), from `now`
/// on: `now` when it already is amber or breached; `None` when no running clock has a limit or
/// it goes from green straight to breached. A clock changes colour only from one Beijing day to
/// the next, so the answer is `now` or the start of a day. Kept with the case so that a job
/// can find the cases to warn about without computing every case's clocks.
pub fn warns_at(
    events: &[TimedEvent],
    promised_limit_days: u32,
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let clocks = compute_clocks(events, promised_limit_days, cal, now);
    let clock = next_due(&clocks)?;
    if clock.warning || clock.status == ClockStatus::Breached {
        return Some(now);
    }
    let due = clock.due_at?;
    let mut day = local_date(now);
    loop {
        day = day.succ_opt()?;
        let at = start_of_day(day);
        if at > due {
            return None;
        }
        let later = compute_clocks(events, promised_limit_days, cal, at);
        let same = later
            .iter()
            .find(|c| c.kind == clock.kind && c.started_at == clock.started_at)?;
        if same.warning {
            return Some(at);
        }
    }
}

/// "2026-02-14（周六，调休上班）"
pub fn describe_day(cal: &Calendar, date: NaiveDate) -> String {
    match cal.day_kind(date) {
        DayKind::MakeUpWorkday => format!("{}（{}，调休上班）", date, weekday_zh(date)),
        DayKind::Holiday => format!(
            "{}（{}，{}）",
            date,
            weekday_zh(date),
            cal.day_name(date).unwrap_or("节假日")
        ),
        _ => format!("{}（{}）", date, weekday_zh(date)),
    }
}

struct Run {
    kind: ClockKind,
    start: DateTime<Utc>,
    stop: Option<DateTime<Utc>>,
    limit: Option<u32>,
    paused: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// What started it, for the explanation ("收到申请表", "补齐材料，重新审核"…).
    cause: &'static str,
}

/// All clocks of a case at instant `now`, in the order they started.
pub fn compute_clocks(
    events: &[TimedEvent],
    promised_limit_days: u32,
    cal: &Calendar,
    now: DateTime<Utc>,
) -> Vec<Clock> {
    fn running(runs: &mut [Run], kind: ClockKind) -> Option<&mut Run> {
        runs.iter_mut()
            .rev()
            .find(|r| r.kind == kind && r.stop.is_none())
    }
    fn end_pause(run: &mut Run, at: DateTime<Utc>) {
        if let Some(p) = run.paused.last_mut().filter(|p| p.1.is_none()) {
            p.1 = Some(at);
        }
    }
    fn stop(runs: &mut [Run], kind: ClockKind, at: DateTime<Utc>) {
        if let Some(r) = running(runs, kind) {
            r.stop = Some(at);
            end_pause(r, at);
        }
    }
    let mut runs: Vec<Run> = Vec::new();
    let start = |runs: &mut Vec<Run>,
                 kind: ClockKind,
                 at: DateTime<Utc>,
                 limit: Option<u32>,
                 cause: &'static str| {
        runs.push(Run {
            kind,
            start: at,
            stop: None,
            limit,
            paused: Vec::new(),
            cause,
        });
    };

    for e in events {
        let at = e.at;
        match &e.event {
            // The form reaches the center on submission; a registration by an agent (phone or
            // walk-in) may record only the receipt.
            CaseEvent::Submit | CaseEvent::Receive => {
                if !runs.iter().any(|r| r.kind == ClockKind::AgentReview) {
                    start(
                        &mut runs,
                        ClockKind::AgentReview,
                        at,
                        Some(REVIEW_LIMIT_DAYS),
                        "收到申请表",
                    );
                }
            }
            CaseEvent::ReviewComplete => {
                stop(&mut runs, ClockKind::AgentReview, at);
                start(
                    &mut runs,
                    ClockKind::AgentHandIn,
                    at,
                    Some(HAND_IN_LIMIT_DAYS),
                    "审核通过，材料齐全",
                );
            }
            CaseEvent::ReviewMissing => {
                stop(&mut runs, ClockKind::AgentReview, at);
                start(
                    &mut runs,
                    ClockKind::ApplicantWaiting,
                    at,
                    None,
                    "发出一次性告知",
                );
            }
            CaseEvent::Supplement => {
                stop(&mut runs, ClockKind::ApplicantWaiting, at);
                start(
                    &mut runs,
                    ClockKind::AgentReview,
                    at,
                    Some(REVIEW_LIMIT_DAYS),
                    "申请人补齐材料，重新审核",
                );
            }
            CaseEvent::WindowReject { .. } => start(
                &mut runs,
                ClockKind::AgentReview,
                at,
                Some(REVIEW_LIMIT_DAYS),
                "窗口未受理，重新审核",
            ),
            CaseEvent::GoToWindow | CaseEvent::SubmitToWindow => {
                stop(&mut runs, ClockKind::AgentHandIn, at)
            }
            CaseEvent::WindowAccept => {
                start(
                    &mut runs,
                    ClockKind::DepartmentProcessing,
                    at,
                    Some(promised_limit_days),
                    "窗口受理",
                );
            }
            CaseEvent::StartSpecialStep {
                counts_toward_limit: false,
                ..
            } => {
                if let Some(r) = running(&mut runs, ClockKind::DepartmentProcessing) {
                    if r.paused.last().is_none_or(|p| p.1.is_some()) {
                        r.paused.push((at, None));
                    }
                }
            }
            CaseEvent::EndSpecialStep => {
                if let Some(r) = running(&mut runs, ClockKind::DepartmentProcessing) {
                    end_pause(r, at);
                }
            }
            CaseEvent::IssueResult => stop(&mut runs, ClockKind::DepartmentProcessing, at),
            // A closed case leaves no clock running, however many runs it had.
            CaseEvent::Complete
            | CaseEvent::Withdraw { .. }
            | CaseEvent::Terminate { .. }
            | CaseEvent::CloseGuidance => {
                for r in runs.iter_mut().filter(|r| r.stop.is_none()) {
                    r.stop = Some(at);
                    end_pause(r, at);
                }
            }
            // Forwarding up the tree is how a station hands the case in (协助或代替申请人到上级
            // 中心办理): its hand-in clock stops; the upper center's starts after its own review.
            CaseEvent::Forward { .. } => stop(&mut runs, ClockKind::AgentHandIn, at),
            CaseEvent::Assign { .. }
            | CaseEvent::Sign
            | CaseEvent::MailIn
            | CaseEvent::HomeVisit
            | CaseEvent::Handover
            | CaseEvent::StartSpecialStep { .. }
            | CaseEvent::StartDelivery { .. } => {}
        }
    }
    runs.into_iter().map(|r| finish(r, cal, now)).collect()
}

fn finish(run: Run, cal: &Calendar, now: DateTime<Utc>) -> Clock {
    // A clock never looks past `now`, and never runs backwards before its start.
    let end = run.stop.unwrap_or(now).max(run.start);
    let start_day = local_date(run.start);
    let end_day = local_date(end);

    let elapsed = cal.working_days_between(start_day, end_day);
    let mut weekends_only = elapsed.weekends_only;
    let mut paused_days = 0;
    for &(from, to) in &run.paused {
        let to = to.unwrap_or(end).min(end).max(from);
        let p = cal.working_days_between(local_date(from), local_date(to));
        paused_days += p.value;
        weekends_only |= p.weekends_only;
    }
    let used_days = elapsed.value.saturating_sub(paused_days);
    let pausing_now = run.stop.is_none() && run.paused.last().is_some_and(|p| p.1.is_none());

    let (due_date, due_at, share_used) = match run.limit {
        Some(limit) => {
            let due = cal.add_working_days(start_day, limit + paused_days);
            weekends_only |= due.weekends_only;
            let share = if limit == 0 {
                1.0
            } else {
                used_days as f32 / limit as f32
            };
            (Some(due.value), Some(end_of_day(due.value)), Some(share))
        }
        None => (None, None, None),
    };

    let late = due_at.is_some_and(|due| end > due);
    let status = match (run.stop, late) {
        (_, true) => ClockStatus::Breached,
        (Some(_), false) => ClockStatus::Met,
        (None, false) if pausing_now => ClockStatus::Paused,
        (None, false) => ClockStatus::Running,
    };
    let warning = run.stop.is_none() && !late && share_used.is_some_and(|s| s >= WARNING_SHARE);

    let explanation = explain(&run, cal, start_day, due_date, paused_days, weekends_only);
    Clock {
        kind: run.kind,
        started_at: run.start,
        stopped_at: run.stop,
        limit_days: run.limit,
        due_date,
        due_at,
        paused: run.paused,
        used_days,
        status,
        share_used,
        warning,
        weekends_only,
        explanation,
    }
}

fn explain(
    run: &Run,
    cal: &Calendar,
    start_day: NaiveDate,
    due: Option<NaiveDate>,
    paused_days: u32,
    weekends_only: bool,
) -> String {
    let mut s = format!("{}{}", describe_day(cal, start_day), run.cause);
    let (Some(limit), Some(due)) = (run.limit, due) else {
        s.push_str("，等待申请人补齐材料（这段时间不计入代办员和部门的时限）");
        return s;
    };
    let nth = if limit == 1 {
        "次一工作日".to_string()
    } else {
        format!("第{limit}个工作日")
    };
    let what = match run.kind {
        ClockKind::AgentReview => "审核截止日",
        ClockKind::AgentHandIn => "递交窗口截止日",
        ClockKind::DepartmentProcessing => "办结截止日",
        ClockKind::ApplicantWaiting => "截止日",
    };
    if run.kind == ClockKind::DepartmentProcessing {
        s.push_str(&format!("，承诺时限{limit}个工作日"));
    }
    s.push_str(&format!(" → {nth} {}为{what}", describe_day(cal, due)));
    if paused_days > 0 {
        s.push_str(&format!(
            "；特殊环节不计入时限，暂停{paused_days}个工作日，截止日相应顺延"
        ));
    }
    let holidays = cal.holidays_within(start_day, due);
    if !holidays.is_empty() {
        let list: Vec<String> = holidays
            .iter()
            .map(|(from, to, name)| {
                if from == to {
                    format!("{from} {name}")
                } else {
                    format!("{from} 至 {to} {name}")
                }
            })
            .collect();
        s.push_str(&format!("（其间 {} 放假，不计入工作日）", list.join("，")));
    }
    if weekends_only {
        s.push_str("（注意：该年度节假日安排尚未载入，仅按周末推算）");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Delivery, SpecialStepKind};

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        beijing()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }
    fn ev(t: DateTime<Utc>, event: CaseEvent) -> TimedEvent {
        TimedEvent { at: t, event }
    }
    fn cal() -> Calendar {
        Calendar::china_2025_2026()
    }

    #[test]
    fn the_review_clock_of_the_spring_festival_example() {
        let events = [ev(at(2026, 2, 13, 10), CaseEvent::Submit)];
        let clocks = compute_clocks(&events, 20, &cal(), at(2026, 2, 13, 11));
        assert_eq!(clocks.len(), 1);
        let c = &clocks[0];
        assert_eq!(c.kind, ClockKind::AgentReview);
        assert_eq!(c.due_date, NaiveDate::from_ymd_opt(2026, 2, 14));
        assert_eq!(
            c.explanation,
            "2026-02-13（周五）收到申请表 → 次一工作日 2026-02-14（周六，调休上班）为审核截止日"
        );
        assert_eq!(c.status, ClockStatus::Running);
        assert!(!c.warning);
        assert_eq!(
            c.due_at,
            Some(at(2026, 2, 15, 0) - chrono::Duration::milliseconds(1))
        );

        // On the due day it is amber; after it, breached.
        let c = &compute_clocks(&events, 20, &cal(), at(2026, 2, 14, 9))[0];
        assert!(c.warning);
        assert_eq!(c.status, ClockStatus::Running);
        let c = &compute_clocks(&events, 20, &cal(), at(2026, 2, 24, 9))[0];
        assert_eq!(c.status, ClockStatus::Breached);
        assert!(!c.warning);
    }

    #[test]
    fn the_warning_instant_is_the_first_amber_day() {
        // Received on Friday 13 Feb: the review is due on the make-up Saturday, amber on it.
        let events = [ev(at(2026, 2, 13, 10), CaseEvent::Submit)];
        let t = warns_at(&events, 20, &cal(), at(2026, 2, 13, 11)).unwrap();
        assert_eq!(t, at(2026, 2, 14, 0));
        let before = &compute_clocks(&events, 20, &cal(), t - chrono::Duration::minutes(1))[0];
        assert!(!before.warning);
        assert!(compute_clocks(&events, 20, &cal(), t)[0].warning);
        // Already amber, or breached: now.
        let now = at(2026, 2, 14, 9);
        assert_eq!(warns_at(&events, 20, &cal(), now), Some(now));
        let late = at(2026, 2, 24, 9);
        assert_eq!(warns_at(&events, 20, &cal(), late), Some(late));
        // A closed case has no running clock.
        let closed = [
            ev(at(2026, 2, 13, 10), CaseEvent::Submit),
            ev(
                at(2026, 2, 13, 10),
                CaseEvent::Withdraw {
                    reason: "不办了".into(),
                },
            ),
        ];
        assert_eq!(warns_at(&closed, 20, &cal(), at(2026, 2, 13, 11)), None);
    }

    #[test]
    fn a_supplement_restarts_the_review_clock_and_the_wait_is_the_applicants() {
        let events = [
            ev(at(2026, 11, 23, 9), CaseEvent::Submit),
            ev(at(2026, 11, 23, 10), CaseEvent::Receive),
            ev(at(2026, 11, 24, 16), CaseEvent::ReviewMissing),
            ev(at(2026, 12, 1, 9), CaseEvent::Supplement),
        ];
        let clocks = compute_clocks(&events, 20, &cal(), at(2026, 12, 1, 12));
        let kinds: Vec<_> = clocks.iter().map(|c| (c.kind, c.status)).collect();
        assert_eq!(
            kinds,
            [
                (ClockKind::AgentReview, ClockStatus::Met),
                (ClockKind::ApplicantWaiting, ClockStatus::Met),
                (ClockKind::AgentReview, ClockStatus::Running),
            ]
        );
        assert_eq!(clocks[1].limit_days, None);
        assert!(clocks[1].explanation.contains("不计入代办员和部门的时限"));
        assert_eq!(clocks[2].due_date, NaiveDate::from_ymd_opt(2026, 12, 2));
        assert!(clocks[2].explanation.contains("重新审核"));
    }

    #[test]
    fn a_station_hands_in_by_forwarding_and_closing_stops_every_clock() {
        let events = [
            ev(at(2026, 12, 1, 9), CaseEvent::Submit),
            ev(at(2026, 12, 1, 10), CaseEvent::ReviewComplete),
            ev(at(2026, 12, 1, 11), CaseEvent::Forward { to_center: 1 }),
            ev(at(2026, 12, 1, 14), CaseEvent::Receive),
            ev(at(2026, 12, 1, 15), CaseEvent::ReviewComplete),
        ];
        let clocks = compute_clocks(&events, 20, &cal(), at(2026, 12, 1, 16));
        let kinds: Vec<_> = clocks.iter().map(|c| (c.kind, c.status)).collect();
        assert_eq!(
            kinds,
            [
                (ClockKind::AgentReview, ClockStatus::Met),
                (ClockKind::AgentHandIn, ClockStatus::Met),
                (ClockKind::AgentHandIn, ClockStatus::Running),
            ]
        );
        let mut closed = events.to_vec();
        closed.push(ev(
            at(2026, 12, 1, 17),
            CaseEvent::Terminate {
                reason: "申请人要求".into(),
            },
        ));
        let clocks = compute_clocks(&closed, 20, &cal(), at(2026, 12, 2, 9));
        assert!(clocks.iter().all(|c| c.stopped_at.is_some()), "{clocks:?}");
    }

    #[test]
    fn hand_in_spans_a_holiday() {
        let events = [
            ev(at(2026, 9, 29, 9), CaseEvent::Submit),
            ev(at(2026, 9, 29, 15), CaseEvent::ReviewComplete),
        ];
        let c = &compute_clocks(&events, 20, &cal(), at(2026, 9, 29, 16))[1];
        assert_eq!(c.kind, ClockKind::AgentHandIn);
        // Sep 30 (Wed) is day 1; Oct 1–7 off; Oct 8 (Thu) is day 2.
        assert_eq!(c.due_date, NaiveDate::from_ymd_opt(2026, 10, 8));
        assert!(
            c.explanation
                .contains("第2个工作日 2026-10-08（周四）为递交窗口截止日"),
            "{}",
            c.explanation
        );
        assert!(
            c.explanation.contains("2026-10-01 至 2026-10-07 国庆节"),
            "{}",
            c.explanation
        );
    }

    #[test]
    fn special_steps_outside_the_limit_pause_processing() {
        let events = [
            ev(at(2026, 3, 2, 9), CaseEvent::Submit),
            ev(at(2026, 3, 2, 10), CaseEvent::ReviewComplete),
            ev(at(2026, 3, 2, 11), CaseEvent::Handover),
            ev(at(2026, 3, 3, 9), CaseEvent::SubmitToWindow),
            ev(at(2026, 3, 3, 15), CaseEvent::WindowAccept), // Tuesday
            ev(
                at(2026, 3, 5, 9),
                CaseEvent::StartSpecialStep {
                    step: SpecialStepKind::PublicNotice,
                    counts_toward_limit: false,
                },
            ),
            ev(at(2026, 3, 12, 9), CaseEvent::EndSpecialStep), // 5 working days later
        ];
        let c = compute_clocks(&events, 5, &cal(), at(2026, 3, 12, 10))
            .pop()
            .unwrap();
        assert_eq!(c.kind, ClockKind::DepartmentProcessing);
        // Tue 3 Mar + 5 working days = Tue 10 Mar, plus 5 paused = Tue 17 Mar.
        assert_eq!(c.due_date, NaiveDate::from_ymd_opt(2026, 3, 17));
        assert_eq!(c.used_days, 2);
        assert_eq!(c.status, ClockStatus::Running);
        assert!(c.explanation.contains("暂停5个工作日"));

        // While the step is on, the clock is paused and its used time stands still.
        let during = compute_clocks(&events[..6], 5, &cal(), at(2026, 3, 10, 10))
            .pop()
            .unwrap();
        assert_eq!(during.status, ClockStatus::Paused);
        assert_eq!(during.used_days, 2);

        // A special step that counts toward the limit does not pause anything.
        let mut counted = events.to_vec();
        counted[5].event = CaseEvent::StartSpecialStep {
            step: SpecialStepKind::SiteInspection,
            counts_toward_limit: true,
        };
        let c = compute_clocks(&counted, 5, &cal(), at(2026, 3, 12, 10))
            .pop()
            .unwrap();
        assert_eq!(c.due_date, NaiveDate::from_ymd_opt(2026, 3, 10));
        assert_eq!(c.status, ClockStatus::Breached);
    }

    #[test]
    fn result_and_completion_stop_the_clocks() {
        let events = [
            ev(at(2026, 4, 1, 9), CaseEvent::Submit),
            ev(at(2026, 4, 1, 10), CaseEvent::ReviewComplete),
            ev(at(2026, 4, 1, 11), CaseEvent::GoToWindow),
            ev(at(2026, 4, 1, 12), CaseEvent::IssueResult),
            ev(
                at(2026, 4, 1, 13),
                CaseEvent::StartDelivery {
                    delivery: Delivery::WindowPickup,
                },
            ),
            ev(at(2026, 4, 2, 9), CaseEvent::Complete),
        ];
        let clocks = compute_clocks(&events, 0, &cal(), at(2026, 6, 1, 9));
        assert!(
            clocks.iter().all(|c| c.status == ClockStatus::Met),
            "{clocks:?}"
        );
        assert_eq!(clocks.len(), 2);
    }

    #[test]
    fn years_without_data_are_flagged() {
        let events = [ev(at(2027, 3, 1, 9), CaseEvent::Submit)];
        let c = &compute_clocks(&events, 5, &cal(), at(2027, 3, 1, 10))[0];
        assert!(c.weekends_only);
        assert!(c.explanation.contains("尚未载入"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::case::{allowed_events, transition, CaseFacts, CaseState, HandlingMode, ItemType};
    use crate::Role;
    use proptest::prelude::*;

    fn facts() -> impl Strategy<Value = CaseFacts> {
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                |(promised, proxy, at_station, signed, guidance_only)| CaseFacts {
                    item_type: if promised {
                        ItemType::Promised
                    } else {
                        ItemType::Immediate
                    },
                    mode: if proxy {
                        HandlingMode::Proxy
                    } else {
                        HandlingMode::Assist
                    },
                    at_station,
                    signed,
                    guidance_only,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_allowed_history_gives_valid_states_and_sane_clocks(
            facts in facts(),
            picks in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>(), 0i64..96), 1..40),
            limit in 1u32..40,
            start_day in 0i64..800,
        ) {
            let cal = Calendar::china_2025_2026();
            let mut t = Utc.with_ymd_and_hms(2025, 1, 1, 1, 0, 0).unwrap() + chrono::Duration::days(start_day);
            let mut state = transition(None, &facts, Role::Applicant, &CaseEvent::Submit).unwrap();
            let mut events = vec![TimedEvent { at: t, event: CaseEvent::Submit }];
            for (applicant, index, hours) in picks {
                let role = if applicant { Role::Applicant } else { Role::Agent };
                let options = allowed_events(state, &facts, role);
                if options.is_empty() { continue; }
                let e = index.get(&options).clone();
                state = transition(Some(state), &facts, role, &e).unwrap();
                t += chrono::Duration::hours(hours);
                events.push(TimedEvent { at: t, event: e });
            }
            prop_assert!(CaseState::ALL.contains(&state));

            let mut previous: Option<Vec<Clock>> = None;
            for later in [0i64, 5, 30, 200, 2000] {
                let now = t + chrono::Duration::hours(later);
                let clocks = compute_clocks(&events, limit, &cal, now);
                for c in &clocks {
                    if let Some(stop) = c.stopped_at { prop_assert!(stop >= c.started_at); }
                    if let Some(due) = c.due_date { prop_assert!(due >= local_date(c.started_at)); }
                    prop_assert!(c.share_used.unwrap_or(0.0) >= 0.0);
                    prop_assert!(!(c.warning && c.status == ClockStatus::Breached));
                    if !state.is_open() { prop_assert!(c.stopped_at.is_some()); }
                }
                if let Some(prev) = &previous {
                    prop_assert_eq!(prev.len(), clocks.len());
                    for (a, b) in prev.iter().zip(&clocks) {
                        prop_assert!(b.used_days >= a.used_days, "clock ran backwards");
                        if a.status == ClockStatus::Breached { prop_assert_eq!(b.status, ClockStatus::Breached); }
                        if a.status == ClockStatus::Met { prop_assert_eq!(b.status, ClockStatus::Met); }
                    }
                }
                previous = Some(clocks);
            }
        }
    }
}
