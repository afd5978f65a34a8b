//! The application form of the policy (附件1): what the applicant types, as raw strings, and the
//! one parser both the browser (as they type) and the server (on submit) run over it.

use crate::case::{Delivery, HandlingMode};
use crate::validate::{
    Address, DisplayName, MobilePhone, ResidentId, UnitName, Uscc, ValidationError,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The county's division code, first part of every case number.
pub const DIVISION_CODE: &str = "411325";

/// "411325-20261128-0007": division, application date (Beijing), the day's sequence.
pub fn case_number(date: NaiveDate, seq: u32) -> String {
    format!("{DIVISION_CODE}-{}-{seq:04}", date.format("%Y%m%d"))
}

/// Service content boxes of the form (服务内容), any of which may be ticked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceContent {
    WindowAcceptance,
    WindowCompletion,
    DoorDelivery,
    MailDelivery,
    PreGuidance,
}

impl ServiceContent {
    pub const ALL: [ServiceContent; 5] = [
        ServiceContent::WindowAcceptance,
        ServiceContent::WindowCompletion,
        ServiceContent::DoorDelivery,
        ServiceContent::MailDelivery,
        ServiceContent::PreGuidance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceContent::WindowAcceptance => "window_acceptance",
            ServiceContent::WindowCompletion => "window_completion",
            ServiceContent::DoorDelivery => "door_delivery",
            ServiceContent::MailDelivery => "mail_delivery",
            ServiceContent::PreGuidance => "pre_guidance",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceContent> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ServiceContent::WindowAcceptance => "大厅综合窗口受理",
            ServiceContent::WindowCompletion => "大厅综合窗口办结领证",
            ServiceContent::DoorDelivery => "上门送达",
            ServiceContent::MailDelivery => "邮寄送达",
            ServiceContent::PreGuidance => "事前辅导",
        }
    }

    /// One line saying what the option means, for the applicant choosing it.
    pub fn explanation(self) -> &'static str {
        match self {
            ServiceContent::WindowAcceptance => {
                "代办员把您的材料交到政务服务大厅的综合窗口，由窗口受理"
            }
            ServiceContent::WindowCompletion => "办好后到大厅综合窗口领取证照或结果",
            ServiceContent::DoorDelivery => "办好后由代办员把结果送到您家或单位",
            ServiceContent::MailDelivery => "办好后免费邮寄给您，需填写收件地址和电话",
            ServiceContent::PreGuidance => "办理前先由代办员辅导您准备材料",
        }
    }
}

/// The form as typed: every field a string, so a half-filled form can be kept as a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    /// "enterprise" or "citizen".
    pub applicant_kind: String,
    /// Enterprise name, or the citizen's own name.
    pub unit_name: String,
    pub address: String,
    /// 法定代表人（负责人）; for a citizen, the citizen.
    pub legal_rep: String,
    /// USCC for an enterprise, resident ID for a citizen.
    pub id_number: String,
    pub handler_name: String,
    pub handler_phone: String,
    pub pre_guidance_item: String,
    /// Ticked service content, by `ServiceContent::as_str`.
    pub services: Vec<String>,
    pub mail_address: String,
    pub mail_recipient: String,
    /// The mail recipient's mobile (couriers call before delivering).
    pub mail_phone: String,
    /// "assist" or "proxy".
    pub mode: String,
    /// Limited mobility or other special needs: handled as proxy.
    pub special_needs: bool,
    pub terms_accepted: bool,
    /// The uploaded power of attorney, when the handler is not the legal representative.
    pub power_of_attorney_file: Option<i64>,
    pub power_of_attorney_name: String,
    /// An enterprise's seal (盖章): an image or scan of the stamped form.
    pub seal_file: Option<i64>,
    pub seal_name: String,
    /// Materials uploaded with the application, each for one material of the item's checklist.
    pub material_files: Vec<MaterialFile>,
}

/// A file uploaded for one material of the item's checklist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialFile {
    pub id: i64,
    pub name: String,
    /// The material's name in the item's checklist; empty for a file given without one.
    #[serde(default)]
    pub material: String,
}

pub use crate::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantId {
    Enterprise,
    Citizen,
}

impl ApplicantId {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantId::Enterprise => "enterprise",
            ApplicantId::Citizen => "citizen",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicantId> {
        [ApplicantId::Enterprise, ApplicantId::Citizen]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A complete, checked application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub kind: ApplicantId,
    pub unit_name: String,
    pub address: String,
    pub legal_rep: String,
    /// The USCC or the resident ID, normalised.
    pub id_number: String,
    pub handler_name: String,
    pub handler_phone: String,
    pub pre_guidance_item: String,
    pub services: Vec<ServiceContent>,
    pub delivery: Delivery,
    pub mode: HandlingMode,
    pub special_needs: bool,
    pub power_of_attorney_file: Option<i64>,
    /// An enterprise's stamped form (盖章), when given.
    #[serde(default)]
    pub seal_file: Option<i64>,
}

impl Application {
    /// The application as shown to people who may see the case but do not work it: the ID
    /// number, phones and addresses masked (a USCC names a business and stays whole).
    pub fn masked(&self) -> Application {
        let phone = |p: &str| {
            MobilePhone::parse(p)
                .map(|p| p.masked())
                .unwrap_or_else(|_| "***".into())
        };
        let place = |a: &str| {
            let head: String = a.chars().take(6).collect();
            if a.chars().count() > 6 {
                format!("{head}****")
            } else {
                head
            }
        };
        let mut m = self.clone();
        if self.kind == ApplicantId::Citizen {
            // Stored only after parsing: 18 ASCII characters.
            m.id_number = match self.id_number.get(..6).zip(self.id_number.get(14..)) {
                Some((head, tail)) if self.id_number.len() == 18 => format!("{head}********{tail}"),
                _ => "***".into(),
            };
        }
        m.handler_phone = phone(&self.handler_phone);
        m.address = place(&self.address);
        if let Delivery::Mail {
            address,
            recipient,
            phone: p,
        } = &self.delivery
        {
            m.delivery = Delivery::Mail {
                address: place(address),
                recipient: recipient.clone(),
                phone: if p.is_empty() {
                    String::new()
                } else {
                    phone(p)
                },
            };
        }
        m
    }
}

impl ApplicationForm {
    /// Whether a power of attorney is needed: the handler is not the legal representative.
    pub fn needs_power_of_attorney(&self) -> bool {
        let rep = self.legal_rep_or_self();
        !self.handler_name.trim().is_empty() && self.handler_name.trim() != rep.trim()
    }

    /// A form filled from an earlier application (a closed pre-guidance request): who applies
    /// and how, with pre-guidance itself no longer asked for. Files and the consent are not
    /// carried over: they belong to the new application.
    pub fn from_application(a: &Application) -> ApplicationForm {
        let (mail_address, mail_recipient, mail_phone) = match &a.delivery {
            Delivery::Mail {
                address,
                recipient,
                phone,
            } => (address.clone(), recipient.clone(), phone.clone()),
            _ => (String::new(), String::new(), String::new()),
        };
        ApplicationForm {
            applicant_kind: a.kind.as_str().into(),
            unit_name: a.unit_name.clone(),
            address: a.address.clone(),
            legal_rep: a.legal_rep.clone(),
            id_number: a.id_number.clone(),
            handler_name: a.handler_name.clone(),
            handler_phone: a.handler_phone.clone(),
            services: a
                .services
                .iter()
                .filter(|s| **s != ServiceContent::PreGuidance)
                .map(|s| s.as_str().to_string())
                .collect(),
            mail_address,
            mail_recipient,
            mail_phone,
            mode: a.mode.as_str().into(),
            special_needs: a.special_needs,
            ..ApplicationForm::default()
        }
    }

    /// The kind chosen, if one is.
    pub fn kind(&self) -> Option<ApplicantId> {
        ApplicantId::parse(&self.applicant_kind)
    }

    fn legal_rep_or_self(&self) -> &str {
        if self.kind() == Some(ApplicantId::Citizen) {
            &self.unit_name
        } else {
            &self.legal_rep
        }
    }

    /// Checks the whole form and reports every wrong field at once. `today` bounds the birth
    /// date in a resident ID.
    pub fn parse(&self, today: NaiveDate) -> Result<Application, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = self.kind();
        let unit_name = match kind {
            Some(ApplicantId::Citizen) => check(
                &mut errors,
                "unit_name",
                DisplayName::parse(&self.unit_name).map(|n| n.as_str().to_string()),
            ),
            _ => check(
                &mut errors,
                "unit_name",
                UnitName::parse(&self.unit_name).map(|n| n.as_str().to_string()),
            ),
        };
        let address = check(
            &mut errors,
            "address",
            Address::parse(&self.address).map(|a| a.as_str().to_string()),
        );
        let legal_rep = match kind {
            Some(ApplicantId::Citizen) => unit_name.clone(),
            _ => check(
                &mut errors,
                "legal_rep",
                DisplayName::parse(&self.legal_rep)
                    .map(|n| n.as_str().to_string())
                    .map_err(|e| ValidationError::new(e.0.replace("姓名", "法定代表人姓名"))),
            ),
        };
        let id_number = match kind {
            Some(ApplicantId::Enterprise) => check(
                &mut errors,
                "id_number",
                Uscc::parse(&self.id_number).map(|u| u.to_string()),
            ),
            Some(ApplicantId::Citizen) => check(
                &mut errors,
                "id_number",
                ResidentId::parse(&self.id_number, today).map(|r| r.to_string()),
            ),
            None => String::new(),
        };
        let handler_name = check(
            &mut errors,
            "handler_name",
            DisplayName::parse(&self.handler_name)
                .map(|n| n.as_str().to_string())
                .map_err(|e| ValidationError::new(e.0.replace("姓名", "经办人姓名"))),
        );
        let handler_phone = check(
            &mut errors,
            "handler_phone",
            MobilePhone::parse(&self.handler_phone).map(|p| p.to_string()),
        );
        if kind.is_none() {
            errors.push(FieldError {
                field: "applicant_kind".into(),
                message: "请选择企业或个人".into(),
            });
        }
        let pre_guidance_item = self.pre_guidance_item.trim().to_string();
        if pre_guidance_item.chars().count() > 100 {
            errors.push(FieldError {
                field: "pre_guidance_item".into(),
                message: "前置辅导事项不能超过100个字".into(),
            });
        }

        let mut services = Vec::new();
        for s in &self.services {
            match ServiceContent::parse(s) {
                Some(c) if !services.contains(&c) => services.push(c),
                Some(_) => {}
                None => errors.push(FieldError {
                    field: "services".into(),
                    message: "服务内容选项不正确".into(),
                }),
            }
        }
        let door = services.contains(&ServiceContent::DoorDelivery);
        let mail = services.contains(&ServiceContent::MailDelivery);
        if services.is_empty() {
            errors.push(FieldError {
                field: "services".into(),
                message: "请至少选择一项服务内容".into(),
            });
        } else if door && mail {
            errors.push(FieldError {
                field: "services".into(),
                message: "上门送达和邮寄送达只能选一种".into(),
            });
        }
        let delivery = if mail {
            let address = check(
                &mut errors,
                "mail_address",
                Address::parse(&self.mail_address)
                    .map(|a| a.as_str().to_string())
                    .map_err(|e| ValidationError::new(e.0.replace("地址", "邮寄地址"))),
            );
            let recipient = check(
                &mut errors,
                "mail_recipient",
                DisplayName::parse(&self.mail_recipient)
                    .map(|n| n.as_str().to_string())
                    .map_err(|e| ValidationError::new(e.0.replace("姓名", "收件人姓名"))),
            );
            let phone = check(
                &mut errors,
                "mail_phone",
                MobilePhone::parse(&self.mail_phone)
                    .map(|p| p.to_string())
                    .map_err(|e| ValidationError::new(e.0.replace("手机号码", "收件人手机号码"))),
            );
            Delivery::Mail {
                address,
                recipient,
                phone,
            }
        } else if door {
            Delivery::Door
        } else {
            Delivery::WindowPickup
        };

        let mode = match (self.mode.as_str(), self.special_needs) {
            (_, true) | ("proxy", _) => Some(HandlingMode::Proxy),
            ("assist", false) => Some(HandlingMode::Assist),
            _ => None,
        };
        if mode.is_none() {
            errors.push(FieldError {
                field: "mode".into(),
                message: "请选择帮办或代办".into(),
            });
        }
        if self.needs_power_of_attorney() && self.power_of_attorney_file.is_none() {
            errors.push(FieldError {
                field: "power_of_attorney".into(),
                message: "经办人不是法定代表人，请上传授权委托书".into(),
            });
        }
        if !self.terms_accepted {
            errors.push(FieldError {
                field: "terms_accepted".into(),
                message: "请阅读并同意申请须知".into(),
            });
        }
        match (kind, mode) {
            (Some(kind), Some(mode)) if errors.is_empty() => Ok(Application {
                kind,
                unit_name,
                address,
                legal_rep,
                id_number,
                handler_name,
                handler_phone,
                pre_guidance_item,
                services,
                delivery,
                mode,
                special_needs: self.special_needs,
                power_of_attorney_file: if self.needs_power_of_attorney() {
                    self.power_of_attorney_file
                } else {
                    None
                },
                seal_file: self.seal_file.filter(|_| kind == ApplicantId::Enterprise),
            }),
            _ => Err(errors),
        }
    }

    /// The message for one field while the person types: only fields they have touched.
    pub fn field_error(&self, today: NaiveDate, field: &str) -> Option<String> {
        self.parse(today)
            .err()?
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.message)
    }
}

/// The parsed value, or an empty string after noting the error under `field`.
fn check(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    r: Result<String, ValidationError>,
) -> String {
    r.unwrap_or_else(|e| {
        errors.push(FieldError::new(field, e.0));
        String::new()
    })
}

/// The form's legal terms (法律责任), the policy's two clauses word for word (附件1).
pub const LEGAL_TERMS: [&str; 2] = [
    "1.申请人填报本表格视为同意授权委托审批工作人员（帮办代办人员）开展相关服务，相关服务产生的法律后果及法律责任由申请人承担。",
    "2.经办人非单位法人的，应当提交授权委托书。",
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn enterprise() -> ApplicationForm {
        ApplicationForm {
            applicant_kind: "enterprise".into(),
            unit_name: "内乡县宛西制药有限公司".into(),
            address: "内乡县城关镇工业路18号".into(),
            legal_rep: "张明".into(),
            id_number: "91411325MA9XXXXXX0".into(),
            handler_name: "张明".into(),
            handler_phone: "138 0000 0001".into(),
            services: vec!["window_acceptance".into(), "mail_delivery".into()],
            mail_address: "内乡县城关镇工业路18号".into(),
            mail_recipient: "李会计".into(),
            mail_phone: "13900000002".into(),
            mode: "assist".into(),
            terms_accepted: true,
            ..Default::default()
        }
    }

    fn valid_uscc() -> String {
        // 91 + 411325 + 9-char org code + check char, computed by the real parser.
        let body = "91411325MA9G7HLX4";
        (0..31)
            .map(|i| "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().nth(i).unwrap())
            .map(|c| format!("{body}{c}"))
            .find(|s| Uscc::parse(s).is_ok())
            .unwrap()
    }

    #[test]
    fn a_complete_enterprise_application_parses() {
        let mut f = enterprise();
        f.id_number = valid_uscc();
        let a = f.parse(today()).unwrap();
        assert_eq!(a.kind, ApplicantId::Enterprise);
        assert_eq!(a.handler_phone, "13800000001");
        assert_eq!(
            a.delivery,
            Delivery::Mail {
                address: "内乡县城关镇工业路18号".into(),
                recipient: "李会计".into(),
                phone: "13900000002".into(),
            }
        );
        assert_eq!(a.mode, HandlingMode::Assist);
        assert_eq!(a.power_of_attorney_file, None);
    }

    #[test]
    fn a_bad_uscc_is_named_on_its_field() {
        let f = enterprise();
        let errors = f.parse(today()).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "id_number");
        assert!(f.field_error(today(), "id_number").is_some());
        assert_eq!(f.field_error(today(), "unit_name"), None);
    }

    #[test]
    fn masking_hides_the_id_number_phones_and_address() {
        let mut f = enterprise();
        f.applicant_kind = "citizen".into();
        f.unit_name = "李会计".into();
        f.handler_name = "李会计".into();
        f.id_number = "11010519491231002X".into();
        let a = f.parse(today()).unwrap();
        let m = a.masked();
        assert_eq!(m.id_number, "110105********002X");
        assert_eq!(m.handler_phone, "138****0001");
        assert_eq!(m.address, "内乡县城关镇****");
        assert!(matches!(m.delivery, Delivery::Mail { ref phone, .. } if phone == "139****0002"));
        assert_eq!(m.unit_name, a.unit_name);
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = ApplicationForm::default().parse(today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "unit_name",
            "address",
            "handler_name",
            "handler_phone",
            "applicant_kind",
            "services",
            "mode",
            "terms_accepted",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn mail_needs_address_and_recipient_and_excludes_door() {
        let mut f = enterprise();
        f.id_number = valid_uscc();
        f.mail_address.clear();
        f.mail_recipient.clear();
        f.mail_phone = "1390000".into();
        let fields: Vec<_> = f
            .parse(today())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["mail_address", "mail_recipient", "mail_phone"]);
        f.services.push("door_delivery".into());
        let errors = f.parse(today()).unwrap_err();
        assert!(errors
            .iter()
            .any(|e| e.message == "上门送达和邮寄送达只能选一种"));
    }

    #[test]
    fn a_pre_guidance_request_becomes_a_form_without_pre_guidance() {
        let mut f = enterprise();
        f.id_number = valid_uscc();
        f.services = vec!["pre_guidance".into(), "mail_delivery".into()];
        f.mail_recipient = "张秀英".into();
        let a = f.parse(today()).unwrap();
        let again = ApplicationForm::from_application(&a);
        assert_eq!(again.services, ["mail_delivery"]);
        assert_eq!(again.mail_recipient, "张秀英");
        assert!(!again.terms_accepted, "consent is given anew");
        let mut again = again;
        again.terms_accepted = true;
        assert_eq!(again.parse(today()).unwrap().unit_name, a.unit_name);
    }

    #[test]
    fn a_handler_who_is_not_the_legal_rep_needs_a_power_of_attorney() {
        let mut f = enterprise();
        f.id_number = valid_uscc();
        f.handler_name = "王经办".into();
        assert!(f.needs_power_of_attorney());
        let errors = f.parse(today()).unwrap_err();
        assert_eq!(errors[0].field, "power_of_attorney");
        f.power_of_attorney_file = Some(7);
        assert_eq!(f.parse(today()).unwrap().power_of_attorney_file, Some(7));
    }

    #[test]
    fn a_citizen_is_their_own_principal_and_special_needs_mean_proxy() {
        let f = ApplicationForm {
            applicant_kind: "citizen".into(),
            unit_name: "张秀英".into(),
            address: "内乡县湍东镇八里营村3组".into(),
            id_number: "11010519491231002X".into(),
            handler_name: "张秀英".into(),
            handler_phone: "13800000001".into(),
            services: vec!["door_delivery".into()],
            mode: "assist".into(),
            special_needs: true,
            terms_accepted: true,
            ..Default::default()
        };
        let a = f.parse(today()).unwrap();
        assert_eq!(a.legal_rep, "张秀英");
        assert_eq!(a.mode, HandlingMode::Proxy);
        assert_eq!(a.delivery, Delivery::Door);
        let mut bad = f.clone();
        bad.id_number = "110105194912310021".into();
        assert_eq!(bad.parse(today()).unwrap_err()[0].field, "id_number");
    }

    #[test]
    fn case_numbers_follow_the_county_format() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(case_number(d, 7), "411325-20261128-0007");
        assert_eq!(case_number(d, 12345), "411325-20261128-12345");
    }

    proptest! {
        #[test]
        fn parsing_never_panics(name in ".{0,40}", id in ".{0,20}", phone in ".{0,15}", kind in "(enterprise|citizen|x)") {
            let f = ApplicationForm {
                applicant_kind: kind,
                unit_name: name.clone(),
                legal_rep: name.clone(),
                handler_name: name,
                id_number: id,
                handler_phone: phone,
                ..Default::default()
            };
            let _ = f.parse(today());
        }
    }
}
