//! The case state machine of DOMAIN.md "Case lifecycle": one function decides whether an event
//! may happen now, for the server and for the UI (which shows only the allowed actions).

use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Submitted,
    Received,
    AwaitingSupplement,
    MaterialsComplete,
    AtWindow,
    HandedOver,
    SubmittedToWindow,
    AcceptedByWindow,
    SpecialStep,
    ResultIssued,
    Delivering,
    Completed,
    Withdrawn,
    Terminated,
}

impl CaseState {
    pub const ALL: [CaseState; 14] = [
        CaseState::Submitted,
        CaseState::Received,
        CaseState::AwaitingSupplement,
        CaseState::MaterialsComplete,
        CaseState::AtWindow,
        CaseState::HandedOver,
        CaseState::SubmittedToWindow,
        CaseState::AcceptedByWindow,
        CaseState::SpecialStep,
        CaseState::ResultIssued,
        CaseState::Delivering,
        CaseState::Completed,
        CaseState::Withdrawn,
        CaseState::Terminated,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CaseState::Submitted => "已提交",
            CaseState::Received => "已接收，审核中",
            CaseState::AwaitingSupplement => "待补齐材料",
            CaseState::MaterialsComplete => "材料齐全",
            CaseState::AtWindow => "窗口办理中",
            CaseState::HandedOver => "材料已交接",
            CaseState::SubmittedToWindow => "已递交窗口",
            CaseState::AcceptedByWindow => "窗口已受理",
            CaseState::SpecialStep => "特殊环节中",
            CaseState::ResultIssued => "已出结果",
            CaseState::Delivering => "送达中",
            CaseState::Completed => "已办结",
            CaseState::Withdrawn => "已撤回",
            CaseState::Terminated => "已终止",
        }
    }

    /// The name stored in the database (same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Submitted => "submitted",
            CaseState::Received => "received",
            CaseState::AwaitingSupplement => "awaiting_supplement",
            CaseState::MaterialsComplete => "materials_complete",
            CaseState::AtWindow => "at_window",
            CaseState::HandedOver => "handed_over",
            CaseState::SubmittedToWindow => "submitted_to_window",
            CaseState::AcceptedByWindow => "accepted_by_window",
            CaseState::SpecialStep => "special_step",
            CaseState::ResultIssued => "result_issued",
            CaseState::Delivering => "delivering",
            CaseState::Completed => "completed",
            CaseState::Withdrawn => "withdrawn",
            CaseState::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        !matches!(
            self,
            CaseState::Completed | CaseState::Withdrawn | CaseState::Terminated
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    /// 即办类: decided on the spot once materials are complete.
    Immediate,
    /// 承诺类: decided within the item's promised limit.
    Promised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingMode {
    /// 帮办: the agent helps, then accompanies the applicant to the window.
    Assist,
    /// 代办: the agent does everything after the handover and entrustment.
    Proxy,
}

impl HandlingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            HandlingMode::Assist => "assist",
            HandlingMode::Proxy => "proxy",
        }
    }

    pub fn parse(s: &str) -> Option<HandlingMode> {
        match s {
            "assist" => Some(HandlingMode::Assist),
            "proxy" => Some(HandlingMode::Proxy),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HandlingMode::Assist => "帮办",
            HandlingMode::Proxy => "代办",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialStepKind {
    ExpertReview,
    SiteInspection,
    PublicNotice,
}

impl SpecialStepKind {
    pub fn label(self) -> &'static str {
        match self {
            SpecialStepKind::ExpertReview => "专家评审",
            SpecialStepKind::SiteInspection => "现场勘察",
            SpecialStepKind::PublicNotice => "公示公告",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    WindowPickup,
    Door,
    Mail { address: String, recipient: String },
}

/// What someone does to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CaseEvent {
    /// The application reaches a center (online, by phone or walk-in).
    Submit,
    /// A station forwards the case to the county center (协助或代替申请人到上级中心办理).
    Forward,
    /// An agent takes the case and records the receipt time.
    Receive,
    /// A home visit (登门受理) to collect materials, recorded during review.
    HomeVisit,
    /// Review found everything present.
    ReviewComplete,
    /// Review found materials missing: the one-time notice goes out.
    ReviewMissing,
    /// The applicant supplies what was missing; the review starts again.
    Supplement,
    /// Immediate item: accompany the applicant to the window, or hand in on their behalf.
    GoToWindow,
    /// Promised item: handover record and entrustment signed.
    Handover,
    SubmitToWindow,
    WindowAccept,
    StartSpecialStep {
        step: SpecialStepKind,
        counts_toward_limit: bool,
    },
    EndSpecialStep,
    IssueResult,
    StartDelivery {
        delivery: Delivery,
    },
    Complete,
    Withdraw {
        reason: String,
    },
    Terminate {
        reason: String,
    },
}

impl CaseEvent {
    pub fn label(&self) -> &'static str {
        match self {
            CaseEvent::Submit => "提交申请",
            CaseEvent::Forward => "转报县中心",
            CaseEvent::Receive => "接收申请",
            CaseEvent::HomeVisit => "登门受理",
            CaseEvent::ReviewComplete => "审核通过，材料齐全",
            CaseEvent::ReviewMissing => "一次性告知缺少材料",
            CaseEvent::Supplement => "补齐材料",
            CaseEvent::GoToWindow => "到窗口办理",
            CaseEvent::Handover => "材料交接并签署委托协议",
            CaseEvent::SubmitToWindow => "递交窗口",
            CaseEvent::WindowAccept => "窗口受理",
            CaseEvent::StartSpecialStep { .. } => "进入特殊环节",
            CaseEvent::EndSpecialStep => "特殊环节结束",
            CaseEvent::IssueResult => "出具审批结果",
            CaseEvent::StartDelivery { .. } => "送达结果",
            CaseEvent::Complete => "办结",
            CaseEvent::Withdraw { .. } => "撤回申请",
            CaseEvent::Terminate { .. } => "终止办理",
        }
    }
}

/// What the machine needs to know about the case besides its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub item_type: ItemType,
    pub mode: HandlingMode,
    /// The case is at a village/township station, which can forward it to the county center.
    pub at_station: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TransitionError {
    #[error("当前状态为“{}”，不能{}", .state.label(), .event)]
    WrongState {
        state: CaseState,
        event: &'static str,
    },
    #[error("{}不能{}", .role.label(), .event)]
    WrongRole { role: Role, event: &'static str },
    #[error("{0}")]
    Precondition(&'static str),
}

/// Who may cause an event: the applicant only supplements and withdraws; agents and managers do
/// the work; supervisors and administrators watch.
fn allowed_role(event: &CaseEvent, role: Role) -> bool {
    match event {
        CaseEvent::Submit => matches!(role, Role::Applicant | Role::Agent | Role::Manager),
        CaseEvent::Supplement => matches!(role, Role::Applicant | Role::Agent | Role::Manager),
        CaseEvent::Withdraw { .. } => role == Role::Applicant,
        _ => matches!(role, Role::Agent | Role::Manager),
    }
}

/// The state after `event`, or why it cannot happen now.
pub fn transition(
    state: Option<CaseState>,
    facts: &CaseFacts,
    role: Role,
    event: &CaseEvent,
) -> Result<CaseState, TransitionError> {
    use CaseEvent as E;
    use CaseState as S;
    let wrong_state = |s: CaseState| TransitionError::WrongState {
        state: s,
        event: event.label(),
    };

    let Some(state) = state else {
        return match event {
            E::Submit if allowed_role(event, role) => Ok(S::Submitted),
            E::Submit => Err(TransitionError::WrongRole {
                role,
                event: event.label(),
            }),
            _ => Err(TransitionError::Precondition("申请尚未提交")),
        };
    };
    if !allowed_role(event, role) {
        return Err(TransitionError::WrongRole {
            role,
            event: event.label(),
        });
    }
    if !state.is_open() {
        return Err(wrong_state(state));
    }

    let next = match (state, event) {
        (_, E::Withdraw { reason }) | (_, E::Terminate { reason }) if reason.trim().is_empty() => {
            return Err(TransitionError::Precondition("请填写原因"));
        }
        (_, E::Withdraw { .. }) => S::Withdrawn,
        (_, E::Terminate { .. }) => S::Terminated,

        (S::Submitted | S::Received | S::MaterialsComplete, E::Forward) => {
            if !facts.at_station {
                return Err(TransitionError::Precondition(
                    "只有乡镇、村（社区）便民服务站的申请才能转报县中心",
                ));
            }
            S::Submitted
        }
        (S::Submitted, E::Receive) => S::Received,
        (S::Received, E::HomeVisit) | (S::AwaitingSupplement, E::HomeVisit) => state,
        (S::Received, E::ReviewComplete) => S::MaterialsComplete,
        (S::Received, E::ReviewMissing) => S::AwaitingSupplement,
        (S::AwaitingSupplement, E::Supplement) => S::Received,

        (S::MaterialsComplete, E::GoToWindow) => {
            if facts.item_type != ItemType::Immediate {
                return Err(TransitionError::Precondition(
                    "承诺类事项须先办理材料交接并签署委托协议",
                ));
            }
            S::AtWindow
        }
        (S::MaterialsComplete, E::Handover) => {
            if facts.item_type != ItemType::Promised {
                return Err(TransitionError::Precondition(
                    "即办类事项直接到窗口办理，无需材料交接",
                ));
            }
            S::HandedOver
        }
        (S::HandedOver, E::SubmitToWindow) => S::SubmittedToWindow,
        (S::SubmittedToWindow, E::WindowAccept) => S::AcceptedByWindow,
        (S::AcceptedByWindow, E::StartSpecialStep { .. }) => S::SpecialStep,
        (S::SpecialStep, E::EndSpecialStep) => S::AcceptedByWindow,
        (S::AtWindow | S::AcceptedByWindow, E::IssueResult) => S::ResultIssued,

        (S::ResultIssued, E::StartDelivery { delivery }) => {
            if let Delivery::Mail { address, recipient } = delivery {
                if address.trim().is_empty() || recipient.trim().is_empty() {
                    return Err(TransitionError::Precondition(
                        "邮寄送达需要填写收件地址和收件人",
                    ));
                }
            }
            S::Delivering
        }
        (S::Delivering, E::Complete) => S::Completed,
        _ => return Err(wrong_state(state)),
    };
    Ok(next)
}

/// Every event `role` may cause now, for showing only the actions that are allowed. Events
/// carrying details are listed with placeholder details that pass the machine's checks.
pub fn allowed_events(state: CaseState, facts: &CaseFacts, role: Role) -> Vec<CaseEvent> {
    sample_events()
        .into_iter()
        .filter(|e| transition(Some(state), facts, role, e).is_ok())
        .collect()
}

/// One example of each kind of event (with valid details).
pub fn sample_events() -> Vec<CaseEvent> {
    vec![
        CaseEvent::Submit,
        CaseEvent::Forward,
        CaseEvent::Receive,
        CaseEvent::HomeVisit,
        CaseEvent::ReviewComplete,
        CaseEvent::ReviewMissing,
        CaseEvent::Supplement,
        CaseEvent::GoToWindow,
        CaseEvent::Handover,
        CaseEvent::SubmitToWindow,
        CaseEvent::WindowAccept,
        CaseEvent::StartSpecialStep {
            step: SpecialStepKind::ExpertReview,
            counts_toward_limit: false,
        },
        CaseEvent::EndSpecialStep,
        CaseEvent::IssueResult,
        CaseEvent::StartDelivery {
            delivery: Delivery::WindowPickup,
        },
        CaseEvent::Complete,
        CaseEvent::Withdraw {
            reason: "不再需要".into(),
        },
        CaseEvent::Terminate {
            reason: "申请人要求".into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseEvent as E;
    use CaseState as S;

    const PROMISED_PROXY: CaseFacts = CaseFacts {
        item_type: ItemType::Promised,
        mode: HandlingMode::Proxy,
        at_station: false,
    };
    const IMMEDIATE_ASSIST: CaseFacts = CaseFacts {
        item_type: ItemType::Immediate,
        mode: HandlingMode::Assist,
        at_station: false,
    };

    fn run(facts: &CaseFacts, steps: &[(Role, CaseEvent)]) -> Result<CaseState, TransitionError> {
        let mut state = None;
        for (role, e) in steps {
            state = Some(transition(state, facts, *role, e)?);
        }
        Ok(state.unwrap())
    }

    /// The expected next state for every (state, event) pair, for an agent on a promised item
    /// at a station; `None` where the machine must refuse.
    fn expected(state: S, event: &E, facts: &CaseFacts) -> Option<S> {
        if !state.is_open() {
            return None;
        }
        match (state, event) {
            (_, E::Terminate { .. }) => Some(S::Terminated),
            (S::Submitted | S::Received | S::MaterialsComplete, E::Forward) if facts.at_station => {
                Some(S::Submitted)
            }
            (S::Submitted, E::Receive) => Some(S::Received),
            (S::Received | S::AwaitingSupplement, E::HomeVisit) => Some(state),
            (S::Received, E::ReviewComplete) => Some(S::MaterialsComplete),
            (S::Received, E::ReviewMissing) => Some(S::AwaitingSupplement),
            (S::AwaitingSupplement, E::Supplement) => Some(S::Received),
            (S::MaterialsComplete, E::GoToWindow) if facts.item_type == ItemType::Immediate => {
                Some(S::AtWindow)
            }
            (S::MaterialsComplete, E::Handover) if facts.item_type == ItemType::Promised => {
                Some(S::HandedOver)
            }
            (S::HandedOver, E::SubmitToWindow) => Some(S::SubmittedToWindow),
            (S::SubmittedToWindow, E::WindowAccept) => Some(S::AcceptedByWindow),
            (S::AcceptedByWindow, E::StartSpecialStep { .. }) => Some(S::SpecialStep),
            (S::SpecialStep, E::EndSpecialStep) => Some(S::AcceptedByWindow),
            (S::AtWindow | S::AcceptedByWindow, E::IssueResult) => Some(S::ResultIssued),
            (S::ResultIssued, E::StartDelivery { .. }) => Some(S::Delivering),
            (S::Delivering, E::Complete) => Some(S::Completed),
            _ => None,
        }
    }

    #[test]
    fn stored_names_round_trip() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
        }
        for m in [HandlingMode::Assist, HandlingMode::Proxy] {
            assert_eq!(HandlingMode::parse(m.as_str()), Some(m));
        }
    }

    #[test]
    fn table_of_every_state_and_event_for_an_agent() {
        for facts in [
            PROMISED_PROXY,
            IMMEDIATE_ASSIST,
            CaseFacts {
                at_station: true,
                ..PROMISED_PROXY
            },
            CaseFacts {
                at_station: true,
                ..IMMEDIATE_ASSIST
            },
        ] {
            for state in S::ALL {
                for event in sample_events() {
                    if matches!(event, E::Submit | E::Withdraw { .. }) {
                        continue;
                    }
                    let got = transition(Some(state), &facts, Role::Agent, &event).ok();
                    assert_eq!(
                        got,
                        expected(state, &event, &facts),
                        "{state:?} + {event:?} ({facts:?})"
                    );
                }
            }
        }
    }

    #[test]
    fn applicants_only_supplement_and_withdraw() {
        for state in S::ALL {
            for event in sample_events() {
                let r = transition(Some(state), &PROMISED_PROXY, Role::Applicant, &event);
                match event {
                    E::Withdraw { .. } => assert_eq!(r.is_ok(), state.is_open(), "{state:?}"),
                    E::Supplement => assert_eq!(r.is_ok(), state == S::AwaitingSupplement),
                    _ => assert!(
                        matches!(
                            r,
                            Err(TransitionError::WrongRole { .. })
                                | Err(TransitionError::WrongState { .. })
                        ),
                        "{state:?} {event:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn supervisors_and_admins_only_watch() {
        for role in [Role::Supervisor, Role::Admin] {
            for state in S::ALL {
                for event in sample_events() {
                    let err = transition(Some(state), &PROMISED_PROXY, role, &event).unwrap_err();
                    assert!(
                        matches!(err, TransitionError::WrongRole { .. }),
                        "{role:?} {event:?}"
                    );
                }
            }
            assert!(transition(None, &PROMISED_PROXY, role, &E::Submit).is_err());
        }
    }

    #[test]
    fn immediate_assist_path() {
        let a = Role::Agent;
        let end = run(
            &IMMEDIATE_ASSIST,
            &[
                (Role::Applicant, E::Submit),
                (a, E::Receive),
                (a, E::ReviewMissing),
                (Role::Applicant, E::Supplement),
                (a, E::ReviewComplete),
                (a, E::GoToWindow),
                (a, E::IssueResult),
                (
                    a,
                    E::StartDelivery {
                        delivery: Delivery::WindowPickup,
                    },
                ),
                (a, E::Complete),
            ],
        );
        assert_eq!(end, Ok(S::Completed));
    }

    #[test]
    fn promised_proxy_path_with_a_special_step() {
        let a = Role::Agent;
        let end = run(
            &PROMISED_PROXY,
            &[
                (a, E::Submit),
                (a, E::Receive),
                (a, E::ReviewComplete),
                (a, E::Handover),
                (a, E::SubmitToWindow),
                (a, E::WindowAccept),
                (
                    a,
                    E::StartSpecialStep {
                        step: SpecialStepKind::PublicNotice,
                        counts_toward_limit: false,
                    },
                ),
                (a, E::EndSpecialStep),
                (a, E::IssueResult),
                (
                    a,
                    E::StartDelivery {
                        delivery: Delivery::Mail {
                            address: "内乡县城关镇".into(),
                            recipient: "张三".into(),
                        },
                    },
                ),
                (a, E::Complete),
            ],
        );
        assert_eq!(end, Ok(S::Completed));
    }

    #[test]
    fn errors_say_why_in_chinese() {
        let e = transition(
            Some(S::Submitted),
            &PROMISED_PROXY,
            Role::Agent,
            &E::IssueResult,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "当前状态为“已提交”，不能出具审批结果");
        let e = transition(
            Some(S::Submitted),
            &PROMISED_PROXY,
            Role::Supervisor,
            &E::Receive,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "政务服务科督查不能接收申请");
        let e = transition(
            Some(S::ResultIssued),
            &PROMISED_PROXY,
            Role::Agent,
            &E::StartDelivery {
                delivery: Delivery::Mail {
                    address: " ".into(),
                    recipient: "张三".into(),
                },
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "邮寄送达需要填写收件地址和收件人");
        let e =
            transition(Some(S::Received), &PROMISED_PROXY, Role::Agent, &E::Forward).unwrap_err();
        assert!(e.to_string().contains("便民服务站"));
        let e = transition(
            Some(S::MaterialsComplete),
            &PROMISED_PROXY,
            Role::Agent,
            &E::GoToWindow,
        )
        .unwrap_err();
        assert!(e.to_string().contains("材料交接"));
        let e = transition(
            Some(S::Received),
            &PROMISED_PROXY,
            Role::Agent,
            &E::Terminate { reason: "".into() },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "请填写原因");
        let e = transition(
            Some(S::Completed),
            &PROMISED_PROXY,
            Role::Applicant,
            &E::Withdraw { reason: "x".into() },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "当前状态为“已办结”，不能撤回申请");
    }

    #[test]
    fn the_ui_offers_exactly_the_allowed_actions() {
        let facts = CaseFacts {
            at_station: true,
            ..PROMISED_PROXY
        };
        let labels: Vec<_> = allowed_events(S::Received, &facts, Role::Agent)
            .iter()
            .map(|e| e.label())
            .collect();
        assert_eq!(
            labels,
            [
                "转报县中心",
                "登门受理",
                "审核通过，材料齐全",
                "一次性告知缺少材料",
                "终止办理"
            ]
        );
        let labels: Vec<_> = allowed_events(S::AwaitingSupplement, &facts, Role::Applicant)
            .iter()
            .map(|e| e.label())
            .collect();
        assert_eq!(labels, ["补齐材料", "撤回申请"]);
        assert!(allowed_events(S::Completed, &facts, Role::Agent).is_empty());
    }
}
