//! Bounded free text: unit names, addresses, reasons.

use super::ValidationError;
use serde::{Deserialize, Serialize};

/// Trimmed text of `min..=max` characters with no control characters, named in errors by
/// `field` ("单位名称", "地址"…).
fn bounded(input: &str, field: &str, min: usize, max: usize) -> Result<String, ValidationError> {
    let s = input.trim();
    let n = s.chars().count();
    if n == 0 {
        return Err(ValidationError::new(format!("请填写{field}")));
    }
    if n < min {
        return Err(ValidationError::new(format!("{field}至少{min}个字")));
    }
    if n > max {
        return Err(ValidationError::new(format!("{field}不能超过{max}个字")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ValidationError::new(format!("{field}含有不可见字符")));
    }
    Ok(s.to_string())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(input: &str) -> Result<Self, ValidationError> {
                bounded(input, $field, $min, $max).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

bounded_text!(
    /// 申请单位名称 (or a citizen's own name on the form).
    UnitName, "单位名称", 2, 100
);
bounded_text!(
    /// A postal or office address.
    Address, "地址", 5, 200
);
bounded_text!(
    /// Why something was withdrawn, terminated or returned.
    Reason, "原因", 2, 500
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_messages() {
        assert_eq!(
            UnitName::parse(" 内乡县某某农业有限公司 ")
                .unwrap()
                .as_str(),
            "内乡县某某农业有限公司"
        );
        assert_eq!(UnitName::parse("").unwrap_err().0, "请填写单位名称");
        assert_eq!(Address::parse("内乡").unwrap_err().0, "地址至少5个字");
        assert_eq!(
            Reason::parse(&"长".repeat(501)).unwrap_err().0,
            "原因不能超过500个字"
        );
        assert!(Address::parse("内乡县城关镇\u{7}菊潭大街").is_err());
        assert!(Reason::parse("第一行\n第二行").is_ok());
    }
}
