//! Cells of the CSV files we export and import. Excel and WPS run a cell that starts with `=`,
//! `+`, `-` or `@` (or a tab or carriage return before one) as a formula: an item name like
//! `=HYPERLINK(…)` in an exported list would act on the machine of whoever opens it. Such a cell
//! is written with a leading apostrophe, which spreadsheet programs show as text, and the
//! apostrophe is dropped again when the file comes back.

use std::borrow::Cow;

/// First characters that make a cell a formula, and the apostrophe itself (so that a cell that
/// really starts with one survives the round trip).
const TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// The cell as it is written to a CSV file.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(TRIGGERS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before `neutralize`; an apostrophe we did not add stays.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_written_as_text() {
        assert_eq!(
            neutralize("=HYPERLINK(\"http://evil.example\",\"点此\")"),
            "'=HYPERLINK(\"http://evil.example\",\"点此\")"
        );
        for cell in ["+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(neutralize(cell).starts_with('\''), "{cell:?}");
        }
        assert_eq!(
            neutralize("企业设立登记（营业执照）"),
            "企业设立登记（营业执照）"
        );
        assert_eq!(neutralize("30"), "30");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn an_apostrophe_we_did_not_add_stays() {
        assert_eq!(restore("'张三"), "'张三");
        assert_eq!(restore("'=1"), "=1");
    }

    proptest! {
        #[test]
        fn nothing_written_starts_a_formula(cell in any::<String>()) {
            let written = neutralize(&cell);
            prop_assert!(!written.starts_with(['=', '+', '-', '@', '\t', '\r']));
        }

        #[test]
        fn every_cell_comes_back_as_it_was(cell in any::<String>()) {
            let written = neutralize(&cell);
            prop_assert_eq!(restore(&written), cell.as_str());
        }
    }
}
