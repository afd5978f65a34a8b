//! What an agent does to a case (the workbench's actions), checked before it becomes a
//! `CaseEvent`: a review's material checklist and the one-time notice it produces, hand-in
//! details, delivery details. The state machine (`case::transition`) then decides if it may
//! happen now.

use crate::application::FormFieldError;
use crate::case::{CaseEvent, Delivery, SpecialStepKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialStatus {
    Received,
    Missing,
    NotNeeded,
}

/// One line of a review against the item's materials checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialCheck {
    pub name: String,
    pub status: MaterialStatus,
    /// Why it is missing (e.g. 已过期, 未签字).
    #[serde(default)]
    pub reason: String,
    /// Where and how to get it, for the one-time notice.
    #[serde(default)]
    pub how_to_get: String,
}

/// How the result reaches the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DeliveryDetails {
    WindowPickup,
    Door,
    Mail {
        address: String,
        recipient: String,
        carrier: String,
        tracking_number: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum CaseAction {
    Receive,
    Forward {
        note: String,
    },
    HomeVisit {
        date: String,
        note: String,
    },
    Review {
        checks: Vec<MaterialCheck>,
        /// Required when a notice was already issued: a second notice is an exception.
        #[serde(default)]
        second_notice_reason: String,
    },
    Supplement {
        note: String,
    },
    GoToWindow {
        window_id: i64,
        on_behalf: bool,
    },
    /// Handover record and entrustment signed by the applicant on the agent's device.
    Handover {
        signature: String,
    },
    SubmitToWindow {
        window_id: i64,
        receipt_number: String,
    },
    WindowAccept {
        note: String,
    },
    StartSpecialStep {
        step: SpecialStepKind,
        counts_toward_limit: bool,
        note: String,
    },
    EndSpecialStep {
        outcome: String,
    },
    IssueResult {
        note: String,
    },
    StartDelivery {
        delivery: DeliveryDetails,
    },
    /// The result and the returned materials handed over; door deliveries carry the
    /// recipient's signature.
    Complete {
        #[serde(default)]
        signature: String,
        returned_materials: String,
    },
    Terminate {
        reason: String,
    },
}

fn err(field: &'static str, message: &str) -> FormFieldError {
    FormFieldError {
        field,
        message: message.to_string(),
    }
}

fn bounded(
    errors: &mut Vec<FormFieldError>,
    field: &'static str,
    label: &str,
    v: &str,
    min: usize,
    max: usize,
) {
    let n = v.trim().chars().count();
    if n < min {
        errors.push(err(
            field,
            &if min == 1 {
                format!("请填写{label}")
            } else {
                format!("{label}至少{min}个字")
            },
        ));
    } else if n > max {
        errors.push(err(field, &format!("{label}不能超过{max}个字")));
    }
}

impl CaseAction {
    /// Checks the details; `notices_before` is how many one-time notices the case already had.
    pub fn check(&self, notices_before: usize) -> Result<(), Vec<FormFieldError>> {
        let mut e = Vec::new();
        match self {
            CaseAction::Receive
            | CaseAction::WindowAccept { .. }
            | CaseAction::IssueResult { .. } => {}
            CaseAction::Forward { note } => bounded(&mut e, "note", "转报说明", note, 2, 500),
            CaseAction::HomeVisit { date, note } => {
                if chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").is_err() {
                    e.push(err("date", "请填写登门日期，如 2026-12-01"));
                }
                bounded(&mut e, "note", "登门说明", note, 2, 500);
            }
            CaseAction::Review {
                checks,
                second_notice_reason,
            } => {
                if checks.is_empty() {
                    e.push(err("checks", "请逐项核对材料"));
                }
                for c in checks
                    .iter()
                    .filter(|c| c.status == MaterialStatus::Missing)
                {
                    if c.how_to_get.trim().is_empty() {
                        e.push(FormFieldError {
                            field: "checks",
                            message: format!("“{}”缺少时须写明获取途径", c.name),
                        });
                    }
                }
                let missing = checks.iter().any(|c| c.status == MaterialStatus::Missing);
                if missing && notices_before > 0 {
                    bounded(
                        &mut e,
                        "second_notice_reason",
                        "再次告知的原因",
                        second_notice_reason,
                        2,
                        500,
                    );
                }
            }
            CaseAction::Supplement { note } => bounded(&mut e, "note", "补正说明", note, 0, 500),
            CaseAction::GoToWindow { .. } => {}
            CaseAction::Handover { signature } => {
                if signature.is_empty() {
                    e.push(err("signature", "请申请人在材料交接单和委托协议上签名"));
                }
            }
            CaseAction::SubmitToWindow { receipt_number, .. } => bounded(
                &mut e,
                "receipt_number",
                "窗口收件编号",
                receipt_number,
                1,
                50,
            ),
            CaseAction::StartSpecialStep { note, .. } => {
                bounded(&mut e, "note", "说明", note, 0, 500)
            }
            CaseAction::EndSpecialStep { outcome } => {
                bounded(&mut e, "outcome", "环节结果", outcome, 2, 500)
            }
            CaseAction::StartDelivery { delivery } => {
                if let DeliveryDetails::Mail {
                    address,
                    recipient,
                    carrier,
                    tracking_number,
                } = delivery
                {
                    bounded(&mut e, "address", "收件地址", address, 5, 200);
                    bounded(&mut e, "recipient", "收件人", recipient, 2, 30);
                    bounded(&mut e, "carrier", "快递公司", carrier, 2, 30);
                    let t = tracking_number.trim();
                    if t.len() < 6 || t.len() > 30 || !t.chars().all(|c| c.is_ascii_alphanumeric())
                    {
                        e.push(err("tracking_number", "快递单号应为6至30位字母或数字"));
                    }
                }
            }
            CaseAction::Complete {
                returned_materials, ..
            } => bounded(
                &mut e,
                "returned_materials",
                "退还材料说明",
                returned_materials,
                0,
                500,
            ),
            CaseAction::Terminate { reason } => {
                bounded(&mut e, "reason", "终止原因", reason, 2, 500)
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }

    /// The event this action is, for the state machine.
    pub fn event(&self) -> CaseEvent {
        match self {
            CaseAction::Receive => CaseEvent::Receive,
            CaseAction::Forward { .. } => CaseEvent::Forward,
            CaseAction::HomeVisit { .. } => CaseEvent::HomeVisit,
            CaseAction::Review { checks, .. } => {
                if checks.iter().any(|c| c.status == MaterialStatus::Missing) {
                    CaseEvent::ReviewMissing
                } else {
                    CaseEvent::ReviewComplete
                }
            }
            CaseAction::Supplement { .. } => CaseEvent::Supplement,
            CaseAction::GoToWindow { .. } => CaseEvent::GoToWindow,
            CaseAction::Handover { .. } => CaseEvent::Handover,
            CaseAction::SubmitToWindow { .. } => CaseEvent::SubmitToWindow,
            CaseAction::WindowAccept { .. } => CaseEvent::WindowAccept,
            CaseAction::StartSpecialStep {
                step,
                counts_toward_limit,
                ..
            } => CaseEvent::StartSpecialStep {
                step: *step,
                counts_toward_limit: *counts_toward_limit,
            },
            CaseAction::EndSpecialStep { .. } => CaseEvent::EndSpecialStep,
            CaseAction::IssueResult { .. } => CaseEvent::IssueResult,
            CaseAction::StartDelivery { delivery } => CaseEvent::StartDelivery {
                delivery: match delivery {
                    DeliveryDetails::WindowPickup => Delivery::WindowPickup,
                    DeliveryDetails::Door => Delivery::Door,
                    DeliveryDetails::Mail {
                        address, recipient, ..
                    } => Delivery::Mail {
                        address: address.clone(),
                        recipient: recipient.clone(),
                    },
                },
            },
            CaseAction::Complete { .. } => CaseEvent::Complete,
            CaseAction::Terminate { reason } => CaseEvent::Terminate {
                reason: reason.clone(),
            },
        }
    }

    /// The one-line note kept with the event, shown in the timeline.
    pub fn note(&self) -> Option<String> {
        let s = match self {
            CaseAction::Forward { note }
            | CaseAction::Supplement { note }
            | CaseAction::WindowAccept { note }
            | CaseAction::IssueResult { note } => note.trim().to_string(),
            CaseAction::HomeVisit { date, note } => format!("{date} {note}"),
            CaseAction::Review {
                checks,
                second_notice_reason,
            } => {
                let missing: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.status == MaterialStatus::Missing)
                    .map(|c| c.name.as_str())
                    .collect();
                match (missing.is_empty(), second_notice_reason.trim().is_empty()) {
                    (true, _) => "材料齐全".to_string(),
                    (false, true) => format!("缺少：{}", missing.join("、")),
                    (false, false) => format!(
                        "再次告知（{}）缺少：{}",
                        second_notice_reason.trim(),
                        missing.join("、")
                    ),
                }
            }
            CaseAction::SubmitToWindow { receipt_number, .. } => {
                format!("窗口收件编号 {}", receipt_number.trim())
            }
            CaseAction::StartSpecialStep {
                step,
                counts_toward_limit,
                note,
            } => format!(
                "{}（{}）{}",
                step.label(),
                if *counts_toward_limit {
                    "计入承诺时限"
                } else {
                    "不计入承诺时限"
                },
                note.trim()
            ),
            CaseAction::EndSpecialStep { outcome } => outcome.trim().to_string(),
            CaseAction::StartDelivery { delivery } => match delivery {
                DeliveryDetails::WindowPickup => "通知申请人窗口领取".to_string(),
                DeliveryDetails::Door => "上门送达".to_string(),
                DeliveryDetails::Mail {
                    carrier,
                    tracking_number,
                    ..
                } => {
                    format!(
                        "邮寄送达：{} 单号 {}",
                        carrier.trim(),
                        tracking_number.trim()
                    )
                }
            },
            CaseAction::Complete {
                returned_materials, ..
            } => returned_materials.trim().to_string(),
            CaseAction::Terminate { reason } => reason.trim().to_string(),
            CaseAction::Receive | CaseAction::GoToWindow { .. } | CaseAction::Handover { .. } => {
                String::new()
            }
        };
        (!s.is_empty()).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, status: MaterialStatus, how: &str) -> MaterialCheck {
        MaterialCheck {
            name: name.into(),
            status,
            reason: String::new(),
            how_to_get: how.into(),
        }
    }

    #[test]
    fn a_review_with_a_missing_material_is_a_one_time_notice_that_says_how_to_get_it() {
        let review = CaseAction::Review {
            checks: vec![
                check("公司章程", MaterialStatus::Received, ""),
                check("股东身份证明", MaterialStatus::Missing, ""),
            ],
            second_notice_reason: String::new(),
        };
        let errors = review.check(0).unwrap_err();
        assert_eq!(errors[0].message, "“股东身份证明”缺少时须写明获取途径");
        let review = CaseAction::Review {
            checks: vec![check(
                "股东身份证明",
                MaterialStatus::Missing,
                "股东本人携带身份证原件",
            )],
            second_notice_reason: String::new(),
        };
        assert!(review.check(0).is_ok());
        assert_eq!(review.event(), CaseEvent::ReviewMissing);
        assert_eq!(review.note().unwrap(), "缺少：股东身份证明");
        // A second notice is an exception that needs its reason.
        assert_eq!(
            review.check(1).unwrap_err()[0].field,
            "second_notice_reason"
        );
    }

    #[test]
    fn a_complete_review_is_review_complete() {
        let review = CaseAction::Review {
            checks: vec![
                check("申请书", MaterialStatus::Received, ""),
                check("委托书", MaterialStatus::NotNeeded, ""),
            ],
            second_notice_reason: String::new(),
        };
        assert_eq!(review.event(), CaseEvent::ReviewComplete);
        assert_eq!(review.note().unwrap(), "材料齐全");
    }

    #[test]
    fn mail_delivery_needs_carrier_and_a_tracking_number() {
        let mut d = DeliveryDetails::Mail {
            address: "内乡县城关镇工业路18号".into(),
            recipient: "李会计".into(),
            carrier: "中国邮政EMS".into(),
            tracking_number: "12 34".into(),
        };
        let action = CaseAction::StartDelivery {
            delivery: d.clone(),
        };
        assert_eq!(action.check(0).unwrap_err()[0].field, "tracking_number");
        if let DeliveryDetails::Mail {
            tracking_number, ..
        } = &mut d
        {
            *tracking_number = "EA123456789CN".into();
        }
        let action = CaseAction::StartDelivery { delivery: d };
        assert!(action.check(0).is_ok());
        assert_eq!(
            action.note().unwrap(),
            "邮寄送达：中国邮政EMS 单号 EA123456789CN"
        );
        assert!(matches!(
            action.event(),
            CaseEvent::StartDelivery {
                delivery: Delivery::Mail { .. }
            }
        ));
    }

    #[test]
    fn terminating_needs_a_reason() {
        assert!(CaseAction::Terminate { reason: " ".into() }
            .check(0)
            .is_err());
        assert!(CaseAction::Terminate {
            reason: "申请人放弃办理".into()
        }
        .check(0)
        .is_ok());
    }
}
