//! Packages (一件事一次办): items of several departments applied for together, one department
//! leading (牵头部门). One application asks for each material once, however many items need it.

use crate::catalog::MaterialForm;
use crate::FieldError;

/// A package as edited: checked before it is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageDraft {
    pub name: String,
    pub description: String,
}

impl PackageDraft {
    pub fn parse(name: &str, description: &str) -> Result<PackageDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = name.trim();
        if !(2..=60).contains(&name.chars().count()) {
            errors.push(FieldError::new("name", "“一件事”名称应为2至60个字"));
        }
        let description = description.trim();
        if description.chars().count() > 500 {
            errors.push(FieldError::new("description", "说明不能超过500字"));
        }
        if errors.is_empty() {
            Ok(PackageDraft {
                name: name.to_string(),
                description: description.to_string(),
            })
        } else {
            Err(errors)
        }
    }
}

/// Why a package may not be submitted for filing: `items` are the departments of its items, in
/// order; the lead department must be one of them and at least two departments take part.
pub fn ready_to_file(lead_department: i64, items: &[i64]) -> Result<(), FieldError> {
    if items.len() < 2 {
        return Err(FieldError::new("items", "“一件事”至少包含两个事项"));
    }
    if !items.contains(&lead_department) {
        return Err(FieldError::new("items", "牵头部门须承担其中至少一个事项"));
    }
    if items.iter().all(|d| *d == items[0]) {
        return Err(FieldError::new(
            "items",
            "“一件事”应涉及两个以上部门；同一部门的事项请在本部门清单中办理",
        ));
    }
    Ok(())
}

/// One line of an item's checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialLine {
    pub name: String,
    pub form: MaterialForm,
    pub copies: i32,
    pub mandatory: bool,
}

/// A material of the package's one checklist and the items (by position) that need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedMaterial {
    pub line: MaterialLine,
    pub items: Vec<usize>,
}

/// The package's checklist: each material once (same name), in the order first needed, asking
/// for the most any item asks: original and copy when one wants the original and another a
/// copy, the largest count, mandatory when any item requires it.
pub fn merge_materials(lists: &[Vec<MaterialLine>]) -> Vec<SharedMaterial> {
    let mut merged: Vec<SharedMaterial> = Vec::new();
    for (item, list) in lists.iter().enumerate() {
        for line in list {
            match merged.iter_mut().find(|m| m.line.name == line.name) {
                Some(m) => {
                    if m.line.form != line.form {
                        m.line.form = MaterialForm::OriginalAndCopy;
                    }
                    m.line.copies = m.line.copies.max(line.copies);
                    m.line.mandatory |= line.mandatory;
                    if !m.items.contains(&item) {
                        m.items.push(item);
                    }
                }
                None => merged.push(SharedMaterial {
                    line: line.clone(),
                    items: vec![item],
                }),
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(name: &str, form: MaterialForm, copies: i32, mandatory: bool) -> MaterialLine {
        MaterialLine {
            name: name.into(),
            form,
            copies,
            mandatory,
        }
    }

    #[test]
    fn a_material_several_items_need_is_asked_for_once_at_the_most_any_asks() {
        let lists = vec![
            vec![
                line("营业执照", MaterialForm::Copy, 1, true),
                line("经办人身份证", MaterialForm::Original, 1, true),
            ],
            vec![
                line("营业执照", MaterialForm::Original, 2, false),
                line("食品安全管理制度", MaterialForm::Original, 1, true),
            ],
            vec![line("经办人身份证", MaterialForm::Original, 1, false)],
        ];
        let merged = merge_materials(&lists);
        let names: Vec<&str> = merged.iter().map(|m| m.line.name.as_str()).collect();
        assert_eq!(names, ["营业执照", "经办人身份证", "食品安全管理制度"]);
        assert_eq!(merged[0].line.form, MaterialForm::OriginalAndCopy);
        assert_eq!(merged[0].line.copies, 2);
        assert!(merged[0].line.mandatory);
        assert_eq!(merged[0].items, [0, 1]);
        assert_eq!(merged[1].items, [0, 2]);
        assert_eq!(merged[1].line.form, MaterialForm::Original);
    }

    #[test]
    fn a_package_needs_two_departments_and_a_lead_that_takes_part() {
        assert_eq!(ready_to_file(1, &[1]).unwrap_err().field, "items");
        assert!(ready_to_file(1, &[1, 1]).is_err());
        assert!(ready_to_file(3, &[1, 2]).is_err());
        assert!(ready_to_file(1, &[1, 2, 2]).is_ok());
        assert!(PackageDraft::parse(" 开办餐饮店 ", "").is_ok());
        assert_eq!(PackageDraft::parse("开", "").unwrap_err()[0].field, "name");
    }

    proptest! {
        /// Every material of every item is in the merged list exactly once, naming that item.
        #[test]
        fn merging_loses_nothing_and_repeats_nothing(
            lists in prop::collection::vec(prop::collection::vec((0u8..6, 1i32..4, any::<bool>()), 0..6), 1..5)
        ) {
            let lists: Vec<Vec<MaterialLine>> = lists.iter().map(|l| l.iter().map(|(n, c, m)| {
                line(&format!("材料{n}"), if *m { MaterialForm::Original } else { MaterialForm::Copy }, *c, *m)
            }).collect()).collect();
            let merged = merge_materials(&lists);
            for (i, list) in lists.iter().enumerate() {
                for l in list {
                    let found: Vec<_> = merged.iter().filter(|m| m.line.name == l.name).collect();
                    prop_assert_eq!(found.len(), 1);
                    prop_assert!(found[0].items.contains(&i));
                    prop_assert!(found[0].line.copies >= l.copies);
                    prop_assert!(found[0].line.mandatory || !l.mandatory);
                }
            }
        }
    }
}
