//! The service-item catalog's vocabulary (附件2): categories, material kinds, special steps.

use serde::{Deserialize, Serialize};

/// The categories named by the policy, plus "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ProjectConstruction,
    EnterpriseRegistration,
    Utilities,
    Livelihood,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::EnterpriseRegistration,
        Category::ProjectConstruction,
        Category::Utilities,
        Category::Livelihood,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ProjectConstruction => "project_construction",
            Category::EnterpriseRegistration => "enterprise_registration",
            Category::Utilities => "utilities",
            Category::Livelihood => "livelihood",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::ProjectConstruction => "项目建设",
            Category::EnterpriseRegistration => "企业注册登记",
            Category::Utilities => "水电气通讯",
            Category::Livelihood => "民生事务",
            Category::Other => "其他",
        }
    }
}

/// Whether the applicant brings the original, a copy, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
}

impl MaterialForm {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialForm::Original => "original",
            MaterialForm::Copy => "copy",
            MaterialForm::OriginalAndCopy => "original_and_copy",
        }
    }

    pub fn parse(s: &str) -> Option<MaterialForm> {
        [
            MaterialForm::Original,
            MaterialForm::Copy,
            MaterialForm::OriginalAndCopy,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            MaterialForm::Original => "原件",
            MaterialForm::Copy => "复印件",
            MaterialForm::OriginalAndCopy => "原件及复印件",
        }
    }
}

/// How an item type reads to the public.
pub fn item_type_label(t: crate::case::ItemType) -> &'static str {
    match t {
        crate::case::ItemType::Immediate => "即办件",
        crate::case::ItemType::Promised => "承诺件",
    }
}

impl crate::case::ItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            crate::case::ItemType::Immediate => "immediate",
            crate::case::ItemType::Promised => "promised",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "immediate" => Some(crate::case::ItemType::Immediate),
            "promised" => Some(crate::case::ItemType::Promised),
            _ => None,
        }
    }
}

impl crate::case::SpecialStepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            crate::case::SpecialStepKind::ExpertReview => "expert_review",
            crate::case::SpecialStepKind::SiteInspection => "site_inspection",
            crate::case::SpecialStepKind::PublicNotice => "public_notice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        use crate::case::SpecialStepKind as K;
        [K::ExpertReview, K::SiteInspection, K::PublicNotice]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Statutory fees as shown to the public: nothing means the service is free (无偿).
pub fn fees_label(fees: &str) -> String {
    if fees.trim().is_empty() {
        "无偿（帮办代办服务免费）".to_string()
    } else {
        fees.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{ItemType, SpecialStepKind};

    #[test]
    fn stored_names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for m in [
            MaterialForm::Original,
            MaterialForm::Copy,
            MaterialForm::OriginalAndCopy,
        ] {
            assert_eq!(MaterialForm::parse(m.as_str()), Some(m));
        }
        for t in [ItemType::Immediate, ItemType::Promised] {
            assert_eq!(ItemType::parse(t.as_str()), Some(t));
        }
        for k in [
            SpecialStepKind::ExpertReview,
            SpecialStepKind::SiteInspection,
            SpecialStepKind::PublicNotice,
        ] {
            assert_eq!(SpecialStepKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Category::parse("x"), None);
    }

    #[test]
    fn fees_default_to_free() {
        assert_eq!(fees_label(" "), "无偿（帮办代办服务免费）");
        assert_eq!(fees_label("登记费80元/件"), "登记费80元/件");
    }
}
