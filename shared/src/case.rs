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
    /// A request for pre-guidance only, closed with its recorded outcome.
    Guided,
}

impl CaseState {
    pub const ALL: [CaseState; 15] = [
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
        CaseState::Guided,
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
            CaseState::Guided => "已完成事前辅导",
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
            CaseState::Guided => "guided",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        !matches!(
            self,
            CaseState::Completed | CaseState::Withdrawn | CaseState::Terminated | CaseState::Guided
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

/// How an application reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    /// 电话预约: an agent records it; the caller signs later.
    Phone,
    /// 现场: an agent registers it with the applicant present.
    WalkIn,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Phone => "phone",
            Channel::WalkIn => "walk_in",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Online, Channel::Phone, Channel::WalkIn]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Online => "网上申请",
            Channel::Phone => "电话预约",
            Channel::WalkIn => "现场登记",
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
    Mail {
        address: String,
        recipient: String,
        /// The recipient's mobile, which couriers need; older cases may lack it.
        #[serde(default)]
        phone: String,
    },
}

impl Delivery {
    /// The stored name of the way the result goes (`cases.delivery_mode`, without the address).
    pub fn mode(&self) -> &'static str {
        match self {
            Delivery::WindowPickup => "window_pickup",
            Delivery::Door => "door",
            Delivery::Mail { .. } => "mail",
        }
    }
}

/// What someone does to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CaseEvent {
    /// The application reaches a center (online, by phone or walk-in).
    Submit,
    /// A station forwards the case one level up the tree: village station → township center →
    /// county center (协助或代替申请人到上级中心办理). `to_center` is where it goes.
    Forward {
        #[serde(default)]
        to_center: i64,
    },
    /// An agent takes the case, records the receipt time and becomes responsible (承办人).
    Receive,
    /// A manager makes `agent` responsible for the case (or hands it to another agent).
    Assign {
        agent: i64,
    },
    /// The applicant's signature on the form, given after registration (phone bookings).
    Sign,
    /// A home visit (登门受理) to collect materials, recorded during review.
    HomeVisit,
    /// Materials received by mail (邮寄收件), recorded during review.
    MailIn,
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
    /// The window did not accept the application: back to review.
    WindowReject {
        reason: String,
    },
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
    /// A pre-guidance-only request ends with the guidance given (事前辅导结果).
    CloseGuidance,
}

impl CaseEvent {
    pub fn label(&self) -> &'static str {
        match self {
            CaseEvent::Submit => "提交申请",
            CaseEvent::Forward { .. } => "转报上级中心",
            CaseEvent::Receive => "接收申请",
            CaseEvent::Assign { .. } => "指派承办人",
            CaseEvent::Sign => "申请人签名确认",
            CaseEvent::HomeVisit => "登门受理",
            CaseEvent::MailIn => "邮寄收件",
            CaseEvent::ReviewComplete => "审核通过，材料齐全",
            CaseEvent::ReviewMissing => "一次性告知缺少材料",
            CaseEvent::Supplement => "补齐材料",
            CaseEvent::GoToWindow => "到窗口办理",
            CaseEvent::Handover => "材料交接并签署委托协议",
            CaseEvent::SubmitToWindow => "递交窗口",
            CaseEvent::WindowAccept => "窗口受理",
            CaseEvent::WindowReject { .. } => "窗口未受理",
            CaseEvent::StartSpecialStep { .. } => "进入特殊环节",
            CaseEvent::EndSpecialStep => "特殊环节结束",
            CaseEvent::IssueResult => "出具审批结果",
            CaseEvent::StartDelivery { .. } => "送达结果",
            CaseEvent::Complete => "办结",
            CaseEvent::Withdraw { .. } => "撤回申请",
            CaseEvent::Terminate { .. } => "终止办理",
            CaseEvent::CloseGuidance => "事前辅导办结",
        }
    }
}

/// What the machine needs to know about the case besides its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub item_type: ItemType,
    pub mode: HandlingMode,
    /// The case is at a village/township station, which can forward it one level up.
    pub at_station: bool,
    /// The applicant has signed the form (a phone booking is signed later): nothing is handed
    /// in before.
    pub signed: bool,
    /// Pre-guidance (事前辅导) is the only service asked for: it ends with the guidance given.
    pub guidance_only: bool,
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
        CaseEvent::Supplement | CaseEvent::Sign => {
            matches!(role, Role::Applicant | Role::Agent | Role::Manager)
        }
        CaseEvent::Withdraw { .. } => role == Role::Applicant,
        CaseEvent::Assign { .. } => role == Role::Manager,
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
        (_, E::Withdraw { reason })
        | (_, E::Terminate { reason })
        | (_, E::WindowReject { reason })
            if reason.trim().is_empty() =>
        {
            return Err(TransitionError::Precondition("请填写原因"));
        }
        (_, E::Withdraw { .. }) => S::Withdrawn,
        (_, E::Terminate { .. }) => S::Terminated,
        (_, E::Assign { .. }) => state,
        (_, E::Sign) if facts.signed => {
            return Err(TransitionError::Precondition("申请表已签名"));
        }
        (_, E::Sign) => state,

        (S::Submitted | S::Received | S::MaterialsComplete, E::Forward { .. }) => {
            if !facts.at_station {
                return Err(TransitionError::Precondition(
                    "只有乡镇便民服务中心、村（社区）便民服务站的申请才能转报上级中心",
                ));
            }
            S::Submitted
        }
        (S::Submitted, E::Receive) => S::Received,
        (S::Received | S::AwaitingSupplement, E::HomeVisit | E::MailIn) => state,
        (S::Received, E::CloseGuidance) if facts.guidance_only => S::Guided,
        (S::Received, E::CloseGuidance) => {
            return Err(TransitionError::Precondition(
                "只有仅申请事前辅导的代办件才能以辅导结果办结",
            ));
        }
        (S::Received, E::ReviewComplete | E::ReviewMissing) if facts.guidance_only => {
            return Err(TransitionError::Precondition(
                "本申请仅需事前辅导：请记录辅导结果后办结",
            ));
        }
        (S::Received, E::ReviewComplete) => S::MaterialsComplete,
        (S::Received, E::ReviewMissing) => S::AwaitingSupplement,
        (S::AwaitingSupplement, E::Supplement) => S::Received,

        (S::MaterialsComplete | S::HandedOver, E::Handover | E::GoToWindow | E::SubmitToWindow)
            if !facts.signed =>
        {
            return Err(TransitionError::Precondition(
                "申请人尚未在申请表上签名，签名后才能交接或递交窗口",
            ));
        }
        (S::MaterialsComplete, E::Handover) => {
            if facts.mode != HandlingMode::Proxy {
                return Err(TransitionError::Precondition(
                    "帮办无需材料交接和委托：请带领申请人本人到窗口办理",
                ));
            }
            S::HandedOver
        }
        (S::MaterialsComplete | S::HandedOver, E::GoToWindow | E::SubmitToWindow) => {
            let immediate = facts.item_type == ItemType::Immediate;
            match (event, immediate) {
                (E::GoToWindow, false) if facts.mode == HandlingMode::Proxy => {
                    return Err(TransitionError::Precondition(
                        "承诺类事项须先办理材料交接并签署委托协议，再递交窗口",
                    ))
                }
                (E::GoToWindow, false) => {
                    return Err(TransitionError::Precondition(
                        "承诺类事项请递交窗口受理，不能当场办结",
                    ))
                }
                (E::SubmitToWindow, true) => {
                    return Err(TransitionError::Precondition(
                        "即办类事项直接到窗口办理，当场出具结果",
                    ))
                }
                _ => {}
            }
            // Proxy: the handover and entrustment come first; assist: the applicant goes along.
            match (state, facts.mode) {
                (S::MaterialsComplete, HandlingMode::Proxy) => {
                    return Err(TransitionError::Precondition(
                        "代办须先办理材料交接并签署委托协议",
                    ))
                }
                (S::HandedOver, HandlingMode::Assist) => return Err(wrong_state(state)),
                _ => {}
            }
            if immediate {
                S::AtWindow
            } else {
                S::SubmittedToWindow
            }
        }
        (S::SubmittedToWindow, E::WindowAccept) => S::AcceptedByWindow,
        (S::AtWindow | S::SubmittedToWindow, E::WindowReject { .. }) => S::Received,
        (S::AcceptedByWindow, E::StartSpecialStep { .. }) => S::SpecialStep,
        (S::SpecialStep, E::EndSpecialStep) => S::AcceptedByWindow,
        (S::AtWindow | S::AcceptedByWindow, E::IssueResult) => S::ResultIssued,

        (S::ResultIssued, E::StartDelivery { delivery }) => {
            if let Delivery::Mail {
                address, recipient, ..
            } = delivery
            {
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
        CaseEvent::Forward { to_center: 1 },
        CaseEvent::Receive,
        CaseEvent::Assign { agent: 1 },
        CaseEvent::Sign,
        CaseEvent::HomeVisit,
        CaseEvent::MailIn,
        CaseEvent::ReviewComplete,
        CaseEvent::ReviewMissing,
        CaseEvent::Supplement,
        CaseEvent::GoToWindow,
        CaseEvent::Handover,
        CaseEvent::SubmitToWindow,
        CaseEvent::WindowAccept,
        CaseEvent::WindowReject {
            reason: "材料不符合要求".into(),
        },
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
        CaseEvent::CloseGuidance,
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
        signed: true,
        guidance_only: false,
    };
    const IMMEDIATE_ASSIST: CaseFacts = CaseFacts {
        item_type: ItemType::Immediate,
        mode: HandlingMode::Assist,
        at_station: false,
        signed: true,
        guidance_only: false,
    };

    fn run(facts: &CaseFacts, steps: &[(Role, CaseEvent)]) -> Result<CaseState, TransitionError> {
        let mut state = None;
        for (role, e) in steps {
            state = Some(transition(state, facts, *role, e)?);
        }
        Ok(state.unwrap())
    }

    /// The expected next state for every (state, event) pair for an agent, written out
    /// independently of `transition`; `None` where the machine must refuse.
    fn expected(state: S, event: &E, facts: &CaseFacts) -> Option<S> {
        if !state.is_open() {
            return None;
        }
        let proxy = facts.mode == HandlingMode::Proxy;
        let immediate = facts.item_type == ItemType::Immediate;
        // Where the applicant's part is done and the agent may go to the window.
        let ready = if proxy {
            S::HandedOver
        } else {
            S::MaterialsComplete
        };
        match (state, event) {
            (_, E::Terminate { .. }) => Some(S::Terminated),
            (_, E::Sign) if !facts.signed => Some(state),
            (S::Submitted | S::Received | S::MaterialsComplete, E::Forward { .. })
                if facts.at_station =>
            {
                Some(S::Submitted)
            }
            (S::Submitted, E::Receive) => Some(S::Received),
            (S::Received | S::AwaitingSupplement, E::HomeVisit | E::MailIn) => Some(state),
            (S::Received, E::CloseGuidance) if facts.guidance_only => Some(S::Guided),
            (S::Received, E::ReviewComplete) if !facts.guidance_only => Some(S::MaterialsComplete),
            (S::Received, E::ReviewMissing) if !facts.guidance_only => Some(S::AwaitingSupplement),
            (S::AwaitingSupplement, E::Supplement) => Some(S::Received),
            (S::MaterialsComplete, E::Handover) if proxy && facts.signed => Some(S::HandedOver),
            (s, E::GoToWindow) if s == ready && immediate && facts.signed => Some(S::AtWindow),
            (s, E::SubmitToWindow) if s == ready && !immediate && facts.signed => {
                Some(S::SubmittedToWindow)
            }
            (S::SubmittedToWindow, E::WindowAccept) => Some(S::AcceptedByWindow),
            (S::AtWindow | S::SubmittedToWindow, E::WindowReject { .. }) => Some(S::Received),
            (S::AcceptedByWindow, E::StartSpecialStep { .. }) => Some(S::SpecialStep),
            (S::SpecialStep, E::EndSpecialStep) => Some(S::AcceptedByWindow),
            (S::AtWindow | S::AcceptedByWindow, E::IssueResult) => Some(S::ResultIssued),
            (S::ResultIssued, E::StartDelivery { .. }) => Some(S::Delivering),
            (S::Delivering, E::Complete) => Some(S::Completed),
            _ => None,
        }
    }

    fn every_facts() -> Vec<CaseFacts> {
        let mut all = Vec::new();
        for item_type in [ItemType::Immediate, ItemType::Promised] {
            for mode in [HandlingMode::Assist, HandlingMode::Proxy] {
                for bits in 0..8u8 {
                    all.push(CaseFacts {
                        item_type,
                        mode,
                        at_station: bits & 1 != 0,
                        signed: bits & 2 != 0,
                        guidance_only: bits & 4 != 0,
                    });
                }
            }
        }
        all
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
        for facts in every_facts() {
            for state in S::ALL {
                for event in sample_events() {
                    if matches!(event, E::Submit | E::Withdraw { .. } | E::Assign { .. }) {
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
    fn only_managers_assign_and_only_open_cases() {
        let assign = E::Assign { agent: 7 };
        for state in S::ALL {
            let r = transition(Some(state), &PROMISED_PROXY, Role::Manager, &assign);
            assert_eq!(r.ok(), state.is_open().then_some(state), "{state:?}");
            assert!(transition(Some(state), &PROMISED_PROXY, Role::Agent, &assign).is_err());
        }
    }

    #[test]
    fn proxy_hands_over_before_the_window_and_assist_never_does() {
        let m = Role::Agent;
        let immediate_proxy = CaseFacts {
            mode: HandlingMode::Proxy,
            ..IMMEDIATE_ASSIST
        };
        // An immediate item by proxy: no window before the entrustment.
        let e = transition(
            Some(S::MaterialsComplete),
            &immediate_proxy,
            m,
            &E::GoToWindow,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "代办须先办理材料交接并签署委托协议");
        let handed = transition(
            Some(S::MaterialsComplete),
            &immediate_proxy,
            m,
            &E::Handover,
        );
        assert_eq!(handed, Ok(S::HandedOver));
        assert_eq!(
            transition(Some(S::HandedOver), &immediate_proxy, m, &E::GoToWindow),
            Ok(S::AtWindow)
        );
        // Assist: the applicant goes along; there is nothing to hand over.
        let e = transition(
            Some(S::MaterialsComplete),
            &IMMEDIATE_ASSIST,
            m,
            &E::Handover,
        )
        .unwrap_err();
        assert!(e.to_string().contains("帮办无需材料交接"), "{e}");
        let promised_assist = CaseFacts {
            item_type: ItemType::Promised,
            ..IMMEDIATE_ASSIST
        };
        assert_eq!(
            transition(
                Some(S::MaterialsComplete),
                &promised_assist,
                m,
                &E::SubmitToWindow
            ),
            Ok(S::SubmittedToWindow)
        );
        // Unsigned (a phone booking): nothing goes to the window.
        let unsigned = CaseFacts {
            signed: false,
            ..IMMEDIATE_ASSIST
        };
        let e = transition(Some(S::MaterialsComplete), &unsigned, m, &E::GoToWindow).unwrap_err();
        assert!(e.to_string().contains("尚未在申请表上签名"), "{e}");
        assert_eq!(
            transition(
                Some(S::MaterialsComplete),
                &unsigned,
                Role::Applicant,
                &E::Sign
            ),
            Ok(S::MaterialsComplete)
        );
        assert!(transition(Some(S::MaterialsComplete), &IMMEDIATE_ASSIST, m, &E::Sign).is_err());
    }

    #[test]
    fn a_window_that_does_not_accept_sends_the_case_back_to_review() {
        let reject = E::WindowReject {
            reason: "缺少法定代表人签字".into(),
        };
        for (facts, state) in [
            (IMMEDIATE_ASSIST, S::AtWindow),
            (PROMISED_PROXY, S::SubmittedToWindow),
        ] {
            assert_eq!(
                transition(Some(state), &facts, Role::Agent, &reject),
                Ok(S::Received)
            );
        }
        let blank = E::WindowReject { reason: " ".into() };
        assert!(transition(Some(S::AtWindow), &IMMEDIATE_ASSIST, Role::Agent, &blank).is_err());
    }

    #[test]
    fn a_pre_guidance_only_request_closes_with_its_outcome() {
        let facts = CaseFacts {
            guidance_only: true,
            ..PROMISED_PROXY
        };
        let e = transition(Some(S::Received), &facts, Role::Agent, &E::ReviewComplete);
        assert!(e.unwrap_err().to_string().contains("辅导结果"));
        let end = transition(Some(S::Received), &facts, Role::Agent, &E::CloseGuidance);
        assert_eq!(end, Ok(S::Guided));
        assert!(!S::Guided.is_open());
        assert!(transition(
            Some(S::Received),
            &PROMISED_PROXY,
            Role::Agent,
            &E::CloseGuidance
        )
        .is_err());
    }

    #[test]
    fn applicants_only_supplement_and_withdraw() {
        for state in S::ALL {
            for event in sample_events() {
                let r = transition(Some(state), &PROMISED_PROXY, Role::Applicant, &event);
                match event {
                    E::Withdraw { .. } => assert_eq!(r.is_ok(), state.is_open(), "{state:?}"),
                    E::Supplement => assert_eq!(r.is_ok(), state == S::AwaitingSupplement),
                    // Signed already (the facts say so): a second signature is refused.
                    E::Sign => assert!(r.is_err()),
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
                            phone: "13800000001".into(),
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
                    phone: String::new(),
                },
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "邮寄送达需要填写收件地址和收件人");
        let e = transition(
            Some(S::Received),
            &PROMISED_PROXY,
            Role::Agent,
            &E::Forward { to_center: 1 },
        )
        .unwrap_err();
        assert!(e.to_string().contains("便民服务站"));
        let e = transition(
            Some(S::MaterialsComplete),
            &PROMISED_PROXY,
            Role::Agent,
            &E::GoToWindow,
        )
        .unwrap_err();
        assert!(e.to_string().contains("须先办理材料交接"), "{e}");
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
                "转报上级中心",
                "登门受理",
                "邮寄收件",
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
