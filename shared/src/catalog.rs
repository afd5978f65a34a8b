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

/// The columns of a unit's list file: the policy's 附件2 columns first, then the catalog's own.
pub const LIST_COLUMNS: [&str; 9] = [
    "序号",
    "单位名称",
    "业务办理项名称",
    "事前辅导事项名称（选填）",
    "事项类型",
    "备注",
    "事项类别",
    "承诺时限（工作日）",
    "收费标准",
];

/// One checked row of an imported list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    pub seq: i32,
    pub name: String,
    pub pre_guidance: String,
    pub item_type: crate::case::ItemType,
    pub remarks: String,
    pub category: Category,
    pub promised_days: i32,
    pub fees: String,
}

/// A refused row: its line in the file (the header is line 1) and every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: usize,
    pub reasons: Vec<String>,
}

/// Checks a whole file's rows (after the header) for `unit`; all or nothing.
pub fn check_list_rows(unit: &str, rows: &[Vec<String>]) -> Result<Vec<ListRow>, Vec<RowError>> {
    use crate::case::ItemType;
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    let mut seen_seq = std::collections::HashMap::new();
    let mut seen_name = std::collections::HashMap::new();
    for (i, cells) in rows.iter().enumerate() {
        let line = i + 2;
        let cell = |n: usize| cells.get(n).map(|s| s.trim()).unwrap_or("");
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut reasons = Vec::new();
        let seq = cell(0)
            .parse::<i32>()
            .ok()
            .filter(|s| (1..=9999).contains(s));
        match seq {
            None => reasons.push(format!("序号“{}”应为1至9999的整数", cell(0))),
            Some(s) => {
                if let Some(first) = seen_seq.insert(s, line) {
                    reasons.push(format!("序号{s}与第{first}行重复"));
                }
            }
        }
        if cell(1) != unit {
            reasons.push(format!("单位名称应为“{unit}”，实为“{}”", cell(1)));
        }
        let name = cell(2);
        match name.chars().count() {
            0 => reasons.push("业务办理项名称不能为空".into()),
            1 => reasons.push("业务办理项名称至少2个字".into()),
            n if n > 100 => reasons.push("业务办理项名称不能超过100个字".into()),
            _ => {
                if let Some(first) = seen_name.insert(name.to_string(), line) {
                    reasons.push(format!("业务办理项名称与第{first}行重复"));
                }
            }
        }
        let item_type = match cell(4) {
            "即办类" | "即办件" | "即办" => Some(ItemType::Immediate),
            "承诺类" | "承诺件" | "承诺" => Some(ItemType::Promised),
            other => {
                reasons.push(format!("事项类型“{other}”应为“即办类”或“承诺类”"));
                None
            }
        };
        let category = Category::ALL.into_iter().find(|c| c.label() == cell(6));
        if category.is_none() {
            reasons.push(format!(
                "事项类别“{}”应为{}之一",
                cell(6),
                Category::ALL.map(|c| format!("“{}”", c.label())).join("、")
            ));
        }
        let days = if cell(7).is_empty() {
            Some(0)
        } else {
            cell(7)
                .parse::<i32>()
                .ok()
                .filter(|d| (0..=365).contains(d))
        };
        match (item_type, days) {
            (_, None) => reasons.push(format!("承诺时限“{}”应为0至365的整数（工作日）", cell(7))),
            (Some(ItemType::Promised), Some(0)) => reasons.push("承诺类事项须填写承诺时限".into()),
            (Some(ItemType::Immediate), Some(d)) if d > 0 => {
                reasons.push("即办类事项承诺时限应为空或0".into())
            }
            _ => {}
        }
        for (n, label, max) in [
            (3, "事前辅导事项名称", 100),
            (5, "备注", 500),
            (8, "收费标准", 200),
        ] {
            if cell(n).chars().count() > max {
                reasons.push(format!("{label}不能超过{max}个字"));
            }
        }
        match (reasons.is_empty(), seq, item_type, category, days) {
            (true, Some(seq), Some(item_type), Some(category), Some(promised_days)) => {
                ok.push(ListRow {
                    seq,
                    name: name.to_string(),
                    pre_guidance: cell(3).to_string(),
                    item_type,
                    remarks: cell(5).to_string(),
                    category,
                    promised_days,
                    fees: cell(8).to_string(),
                })
            }
            _ => errors.push(RowError { line, reasons }),
        }
    }
    if ok.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            reasons: vec!["文件中没有事项".into()],
        });
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}

/// The cells of `row` for export, in `LIST_COLUMNS` order.
pub fn list_row_cells(unit: &str, row: &ListRow) -> [String; 9] {
    [
        row.seq.to_string(),
        unit.to_string(),
        row.name.clone(),
        row.pre_guidance.clone(),
        match row.item_type {
            crate::case::ItemType::Immediate => "即办类".into(),
            crate::case::ItemType::Promised => "承诺类".into(),
        },
        row.remarks.clone(),
        row.category.label().to_string(),
        if row.promised_days == 0 {
            String::new()
        } else {
            row.promised_days.to_string()
        },
        row.fees.clone(),
    ]
}

#[cfg(test)]
mod import_tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn good_rows_round_trip_through_export_cells() {
        let rows = vec![
            row(&[
                "1",
                "民政局",
                "最低生活保障申请",
                "低保政策咨询",
                "承诺类",
                "",
                "民生事务",
                "30",
                "",
            ]),
            row(&[
                "2",
                "民政局",
                "临时救助",
                "",
                "即办类",
                "急难",
                "民生事务",
                "",
                "",
            ]),
            row(&["", "", "", "", "", "", "", "", ""]),
        ];
        let ok = check_list_rows("民政局", &rows).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(list_row_cells("民政局", &ok[0]).to_vec(), rows[0]);
        assert_eq!(list_row_cells("民政局", &ok[1]).to_vec(), rows[1]);
    }

    #[test]
    fn every_bad_row_is_listed_with_its_line_and_reasons() {
        let rows = vec![
            row(&[
                "1",
                "民政局",
                "最低生活保障申请",
                "",
                "承诺类",
                "",
                "民生事务",
                "30",
                "",
            ]),
            row(&[
                "1",
                "税务局",
                "最低生活保障申请",
                "",
                "即办",
                "",
                "民生",
                "5",
                "",
            ]),
            row(&["x", "民政局", "临", "", "承诺类", "", "民生事务", "0", ""]),
        ];
        let errors = check_list_rows("民政局", &rows).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, 3);
        assert_eq!(
            errors[0].reasons,
            [
                "序号1与第2行重复",
                "单位名称应为“民政局”，实为“税务局”",
                "业务办理项名称与第2行重复",
                "事项类别“民生”应为“企业注册登记”、“项目建设”、“水电气通讯”、“民生事务”、“其他”之一",
                "即办类事项承诺时限应为空或0",
            ]
        );
        assert_eq!(errors[1].line, 4);
        assert_eq!(
            errors[1].reasons,
            [
                "序号“x”应为1至9999的整数",
                "业务办理项名称至少2个字",
                "承诺类事项须填写承诺时限"
            ]
        );
        assert_eq!(
            check_list_rows("民政局", &[]).unwrap_err()[0].reasons,
            ["文件中没有事项"]
        );
    }
}
