//! What an agent does to a case (the workbench's actions), checked before it becomes a
//! `CaseEvent`: a review's material checklist and the one-time notice it produces, hand-in
//! details, delivery details. The state machine (`case::transition`) then decides if it may
//! happen now.

use crate::case::{CaseEvent, Delivery, HandlingMode, SpecialStepKind};
use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialStatus {
    /// Not yet checked: a review cannot be submitted with such a row.
    Unset,
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
        /// The recipient's mobile, for the courier.
        #[serde(default)]
        phone: String,
        carrier: String,
        tracking_number: String,
    },
}

/// What the checks of an action need to know about the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckContext {
    /// How many one-time notices the case already had.
    pub notices_before: usize,
    pub mode: HandlingMode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum CaseAction {
    /// The agent signs under 代办人 on the form and becomes responsible.
    Receive {
        #[serde(default)]
        signature: String,
    },
    /// A manager makes an agent responsible, with a reason.
    Assign {
        agent_id: i64,
        reason: String,
    },
    /// The applicant's signature on the form, given on the agent's device at the first visit
    /// (a phone booking) or on the applicant's phone. One who cannot sign on a screen signs the
    /// printed form instead: the agent uploads it to the case and names it here.
    Sign {
        #[serde(default)]
        signature: String,
        #[serde(default)]
        paper_form: Option<i64>,
    },
    Forward {
        note: String,
    },
    /// 登门受理: materials collected at the applicant's home.
    HomeVisit {
        date: String,
        #[serde(default)]
        place: String,
        #[serde(default)]
        materials: String,
        note: String,
    },
    /// 邮寄收件: materials received by mail.
    MailIn {
        date: String,
        carrier: String,
        tracking_number: String,
        materials: String,
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
    /// Immediate items: to the window — with the applicant (assist) or for them (proxy).
    GoToWindow {
        window_id: i64,
        #[serde(default)]
        applicant_attended: bool,
    },
    /// Handover record and entrustment signed by the applicant on the agent's device.
    Handover {
        signature: String,
    },
    SubmitToWindow {
        window_id: i64,
        receipt_number: String,
        #[serde(default)]
        applicant_attended: bool,
    },
    WindowAccept {
        note: String,
    },
    /// The window did not accept: back to review (terminating is its own action).
    WindowReject {
        reason: String,
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
    /// A pre-guidance-only request: what was advised, what to prepare, special steps ahead.
    CloseGuidance {
        advice: String,
        to_prepare: String,
        #[serde(default)]
        special_steps: String,
    },
}

/// The note a window visit needs in assist mode: the applicant went along.
pub const ATTEND_REQUIRED: &str = "帮办须由申请人本人到窗口办理：请确认申请人已到场";

fn date(errors: &mut Vec<FieldError>, v: &str, label: &str) {
    if chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").is_err() {
        errors.push(err("date", &format!("请填写{label}，如 2026-12-01")));
    }
}

fn tracking(errors: &mut Vec<FieldError>, v: &str) {
    let t = v.trim();
    if t.len() < 6 || t.len() > 30 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
        errors.push(err("tracking_number", "快递单号应为6至30位字母或数字"));
    }
}

fn err(field: &str, message: &str) -> FieldError {
    FieldError::new(field, message)
}

fn bounded(
    errors: &mut Vec<FieldError>,
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
    /// Checks the details against what the case is.
    pub fn check(&self, case: CheckContext) -> Result<(), Vec<FieldError>> {
        let notices_before = case.notices_before;
        let mut e = Vec::new();
        match self {
            CaseAction::WindowAccept { .. } | CaseAction::IssueResult { .. } => {}
            CaseAction::Receive { signature } => {
                if signature.is_empty() {
                    e.push(err("signature", "请代办人签名确认接收"));
                }
            }
            CaseAction::Sign {
                signature,
                paper_form,
            } => {
                if signature.is_empty() && paper_form.is_none() {
                    e.push(err(
                        "signature",
                        "请申请人在框内签名，或上传其签字的纸质申请表",
                    ));
                }
            }
            CaseAction::Assign { agent_id, reason } => {
                if *agent_id <= 0 {
                    e.push(err("agent_id", "请选择承办人"));
                }
                bounded(&mut e, "reason", "指派原因", reason, 2, 200);
            }
            CaseAction::Forward { note } => bounded(&mut e, "note", "转报说明", note, 2, 500),
            CaseAction::HomeVisit {
                date: day,
                place,
                materials,
                note,
            } => {
                date(&mut e, day, "登门日期");
                bounded(&mut e, "place", "登门地点", place, 2, 200);
                bounded(&mut e, "materials", "收取的材料", materials, 2, 500);
                bounded(&mut e, "note", "说明", note, 0, 500);
            }
            CaseAction::MailIn {
                date: day,
                carrier,
                tracking_number,
                materials,
            } => {
                date(&mut e, day, "收件日期");
                bounded(&mut e, "carrier", "快递公司", carrier, 2, 30);
                tracking(&mut e, tracking_number);
                bounded(&mut e, "materials", "收到的材料", materials, 2, 500);
            }
            CaseAction::WindowReject { reason } => {
                bounded(&mut e, "reason", "窗口未受理的原因", reason, 2, 500)
            }
            CaseAction::CloseGuidance {
                advice,
                to_prepare,
                special_steps,
            } => {
                bounded(&mut e, "advice", "辅导意见", advice, 2, 1000);
                bounded(&mut e, "to_prepare", "需准备的材料", to_prepare, 2, 1000);
                bounded(
                    &mut e,
                    "special_steps",
                    "特殊环节提示",
                    special_steps,
                    0,
                    500,
                );
            }
            CaseAction::Review {
                checks,
                second_notice_reason,
            } => {
                if checks.is_empty() {
                    e.push(err("checks", "请逐项核对材料"));
                }
                for c in checks {
                    let problem = match c.status {
                        MaterialStatus::Unset => {
                            Some(format!("“{}”尚未核对：请选择已收到、缺少或不需要", c.name))
                        }
                        MaterialStatus::Missing if c.reason.trim().chars().count() < 2 => {
                            Some(format!("“{}”缺少时须写明缺少原因", c.name))
                        }
                        MaterialStatus::Missing if c.how_to_get.trim().chars().count() < 2 => {
                            Some(format!("“{}”缺少时须写明获取途径", c.name))
                        }
                        MaterialStatus::Missing
                            if c.reason.chars().count() > 200
                                || c.how_to_get.chars().count() > 200 =>
                        {
                            Some(format!("“{}”的缺少原因和获取途径各不能超过200个字", c.name))
                        }
                        _ => None,
                    };
                    if let Some(message) = problem {
                        e.push(FieldError {
                            field: "checks".into(),
                            message,
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
            CaseAction::GoToWindow {
                applicant_attended, ..
            } => {
                if case.mode == HandlingMode::Assist && !applicant_attended {
                    e.push(err("applicant_attended", ATTEND_REQUIRED));
                }
            }
            CaseAction::Handover { signature } => {
                if signature.is_empty() {
                    e.push(err("signature", "请申请人在材料交接单和委托协议上签名"));
                }
            }
            CaseAction::SubmitToWindow {
                receipt_number,
                applicant_attended,
                ..
            } => {
                bounded(
                    &mut e,
                    "receipt_number",
                    "窗口收件编号",
                    receipt_number,
                    1,
                    50,
                );
                if case.mode == HandlingMode::Assist && !applicant_attended {
                    e.push(err("applicant_attended", ATTEND_REQUIRED));
                }
            }
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
                    phone,
                    carrier,
                    tracking_number,
                } = delivery
                {
                    bounded(&mut e, "address", "收件地址", address, 5, 200);
                    bounded(&mut e, "recipient", "收件人", recipient, 2, 30);
                    if let Err(m) = crate::validate::MobilePhone::parse(phone) {
                        e.push(err("phone", &m.0.replace("手机号码", "收件人手机号码")));
                    }
                    bounded(&mut e, "carrier", "快递公司", carrier, 2, 30);
                    tracking(&mut e, tracking_number);
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
            CaseAction::Receive { .. } => CaseEvent::Receive,
            CaseAction::Assign { agent_id, .. } => CaseEvent::Assign { agent: *agent_id },
            CaseAction::Sign { .. } => CaseEvent::Sign,
            // The server knows where the case goes: the parent of its center.
            CaseAction::Forward { .. } => CaseEvent::Forward { to_center: 0 },
            CaseAction::HomeVisit { .. } => CaseEvent::HomeVisit,
            CaseAction::MailIn { .. } => CaseEvent::MailIn,
            CaseAction::WindowReject { reason } => CaseEvent::WindowReject {
                reason: reason.clone(),
            },
            CaseAction::CloseGuidance { .. } => CaseEvent::CloseGuidance,
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
                        address,
                        recipient,
                        phone,
                        ..
                    } => Delivery::Mail {
                        address: address.clone(),
                        recipient: recipient.clone(),
                        phone: crate::validate::MobilePhone::parse(phone)
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
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
            CaseAction::HomeVisit {
                date,
                place,
                materials,
                note,
            } => format!(
                "{} 在{}收取：{}{}",
                date.trim(),
                place.trim(),
                materials.trim(),
                if note.trim().is_empty() {
                    String::new()
                } else {
                    format!("（{}）", note.trim())
                }
            ),
            CaseAction::MailIn {
                date,
                carrier,
                tracking_number,
                materials,
            } => format!(
                "{} 收到{}邮件 单号 {}：{}",
                date.trim(),
                carrier.trim(),
                tracking_number.trim(),
                materials.trim()
            ),
            CaseAction::Assign { reason, .. } | CaseAction::WindowReject { reason } => {
                reason.trim().to_string()
            }
            CaseAction::CloseGuidance {
                advice,
                to_prepare,
                special_steps,
            } => {
                let mut s = format!("辅导意见：{}；需准备：{}", advice.trim(), to_prepare.trim());
                if !special_steps.trim().is_empty() {
                    s.push_str(&format!("；特殊环节：{}", special_steps.trim()));
                }
                s
            }
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
            CaseAction::SubmitToWindow {
                receipt_number,
                applicant_attended,
                ..
            } => format!(
                "窗口收件编号 {}{}",
                receipt_number.trim(),
                if *applicant_attended {
                    "（申请人本人到场）"
                } else {
                    ""
                }
            ),
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
            CaseAction::GoToWindow {
                applicant_attended: true,
                ..
            } => "申请人本人到场".to_string(),
            CaseAction::Sign { signature, .. } if signature.is_empty() => {
                "申请人到场，在纸质申请表上签字确认（已拍照存档）".to_string()
            }
            CaseAction::Sign { .. } => "申请人到场，在代办员设备上签名确认".to_string(),
            CaseAction::Receive { .. }
            | CaseAction::GoToWindow { .. }
            | CaseAction::Handover { .. } => String::new(),
        };
        (!s.is_empty()).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: CheckContext = CheckContext {
        notices_before: 0,
        mode: HandlingMode::Proxy,
    };

    #[test]
    fn assist_needs_the_applicant_at_the_window_and_proxy_does_not() {
        let go = |attended| CaseAction::GoToWindow {
            window_id: 1,
            applicant_attended: attended,
        };
        let assist = CheckContext {
            mode: HandlingMode::Assist,
            ..CTX
        };
        assert_eq!(
            go(false).check(assist).unwrap_err()[0].message,
            ATTEND_REQUIRED
        );
        assert!(go(true).check(assist).is_ok());
        assert!(go(false).check(CTX).is_ok());
        assert_eq!(go(true).note().unwrap(), "申请人本人到场");
    }

    #[test]
    fn home_visits_and_mail_in_record_date_place_and_materials() {
        let visit = CaseAction::HomeVisit {
            date: "2026-12-01".into(),
            place: "湍东镇八里营村3组".into(),
            materials: "身份证复印件、户口簿".into(),
            note: String::new(),
        };
        assert!(visit.check(CTX).is_ok());
        assert_eq!(
            visit.note().unwrap(),
            "2026-12-01 在湍东镇八里营村3组收取：身份证复印件、户口簿"
        );
        let mail = CaseAction::MailIn {
            date: "12月1日".into(),
            carrier: "EMS".into(),
            tracking_number: "1".into(),
            materials: "".into(),
        };
        let errors = mail.check(CTX).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["date", "tracking_number", "materials"]);
    }

    #[test]
    fn guidance_and_assignment_need_their_words() {
        let close = CaseAction::CloseGuidance {
            advice: "".into(),
            to_prepare: "营业执照".into(),
            special_steps: String::new(),
        };
        assert_eq!(close.check(CTX).unwrap_err()[0].field, "advice");
        let assign = CaseAction::Assign {
            agent_id: 3,
            reason: "".into(),
        };
        assert_eq!(assign.check(CTX).unwrap_err()[0].field, "reason");
        assert_eq!(assign.event(), CaseEvent::Assign { agent: 3 });
        let receive = CaseAction::Receive {
            signature: String::new(),
        };
        assert_eq!(receive.check(CTX).unwrap_err()[0].field, "signature");
    }

    #[test]
    fn an_applicant_signs_on_the_screen_or_on_a_paper_form() {
        let sign = |signature: &str, paper_form| CaseAction::Sign {
            signature: signature.into(),
            paper_form,
        };
        assert_eq!(sign("", None).check(CTX).unwrap_err()[0].field, "signature");
        assert!(sign("data:image/png;base64,x", None).check(CTX).is_ok());
        let paper = sign("", Some(7));
        assert!(paper.check(CTX).is_ok());
        assert!(paper.note().unwrap().contains("纸质申请表"));
        // Older clients send no paper_form at all.
        let old: CaseAction = serde_json::from_str(r#"{"action":"sign","signature":"s"}"#).unwrap();
        assert_eq!(old, sign("s", None));
    }

    fn check(name: &str, status: MaterialStatus, how: &str) -> MaterialCheck {
        MaterialCheck {
            name: name.into(),
            status,
            reason: if status == MaterialStatus::Missing {
                "未提供".into()
            } else {
                String::new()
            },
            how_to_get: how.into(),
        }
    }

    #[test]
    fn every_material_must_be_checked_and_a_missing_one_needs_its_reason() {
        let mut unchecked = check("公司章程", MaterialStatus::Unset, "");
        let review = |c: MaterialCheck| CaseAction::Review {
            checks: vec![check("申请书", MaterialStatus::Received, ""), c],
            second_notice_reason: String::new(),
        };
        assert_eq!(
            review(unchecked.clone()).check(CTX).unwrap_err()[0].message,
            "“公司章程”尚未核对：请选择已收到、缺少或不需要"
        );
        unchecked.status = MaterialStatus::Missing;
        unchecked.how_to_get = "市场监管局窗口领取".into();
        assert_eq!(
            review(unchecked.clone()).check(CTX).unwrap_err()[0].message,
            "“公司章程”缺少时须写明缺少原因"
        );
        unchecked.reason = "未签字".into();
        assert!(review(unchecked).check(CTX).is_ok());
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
        let errors = review.check(CTX).unwrap_err();
        assert_eq!(errors[0].message, "“股东身份证明”缺少时须写明获取途径");
        let review = CaseAction::Review {
            checks: vec![check(
                "股东身份证明",
                MaterialStatus::Missing,
                "股东本人携带身份证原件",
            )],
            second_notice_reason: String::new(),
        };
        assert!(review.check(CTX).is_ok());
        assert_eq!(review.event(), CaseEvent::ReviewMissing);
        assert_eq!(review.note().unwrap(), "缺少：股东身份证明");
        // A second notice is an exception that needs its reason.
        assert_eq!(
            review
                .check(CheckContext {
                    notices_before: 1,
                    ..CTX
                })
                .unwrap_err()[0]
                .field,
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
            phone: "139 0000 0002".into(),
            carrier: "中国邮政EMS".into(),
            tracking_number: "12 34".into(),
        };
        let action = CaseAction::StartDelivery {
            delivery: d.clone(),
        };
        assert_eq!(action.check(CTX).unwrap_err()[0].field, "tracking_number");
        if let DeliveryDetails::Mail {
            tracking_number, ..
        } = &mut d
        {
            *tracking_number = "EA123456789CN".into();
        }
        let action = CaseAction::StartDelivery { delivery: d };
        assert!(action.check(CTX).is_ok());
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
            .check(CTX)
            .is_err());
        assert!(CaseAction::Terminate {
            reason: "申请人放弃办理".into()
        }
        .check(CTX)
        .is_ok());
    }
}
