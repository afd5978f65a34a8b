use super::{to_half_width, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A mainland China mobile number: 11 digits starting 13–19. `+86`/`0086`, spaces and dashes
/// (also full-width) are accepted and normalised away.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MobilePhone(String);

impl MobilePhone {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s: String = to_half_width(input.trim())
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        if s.is_empty() {
            return Err(ValidationError::new("请填写手机号码"));
        }
        let digits = s
            .strip_prefix("+86")
            .or_else(|| s.strip_prefix("0086"))
            .unwrap_or(&s);
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValidationError::new("手机号码只能包含数字"));
        }
        if digits.len() != 11 {
            return Err(ValidationError::new("手机号码应为11位数字"));
        }
        let b = digits.as_bytes();
        if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
            return Err(ValidationError::new(
                "不是有效的大陆手机号码（应以13至19开头）",
            ));
        }
        Ok(MobilePhone(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For display to people who need not see the whole number: `138****1234`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for MobilePhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The 6-digit code sent by SMS to prove a phone is the person's. Full-width digits and spaces
/// (as some phone keyboards paste them) are accepted.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsCode(String);

impl SmsCode {
    pub const LEN: usize = 6;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s: String = to_half_width(input.trim())
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if s.is_empty() {
            return Err(ValidationError::new("请填写短信验证码"));
        }
        if s.len() != Self::LEN || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValidationError::new("验证码为6位数字"));
        }
        Ok(SmsCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Never printed: a code in a log is a code anyone reading the log can use.
impl fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmsCode(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_normalises() {
        for s in [
            "13812341234",
            "+86 138 1234 1234",
            "0086-138-1234-1234",
            "１３８１２３４１２３４",
            " 138-1234-1234 ",
        ] {
            assert_eq!(
                MobilePhone::parse(s).unwrap().as_str(),
                "13812341234",
                "{s}"
            );
        }
    }

    #[test]
    fn rejects_with_reason() {
        assert_eq!(MobilePhone::parse("").unwrap_err().0, "请填写手机号码");
        assert_eq!(
            MobilePhone::parse("1381234123").unwrap_err().0,
            "手机号码应为11位数字"
        );
        assert_eq!(
            MobilePhone::parse("138123412345").unwrap_err().0,
            "手机号码应为11位数字"
        );
        assert!(MobilePhone::parse("12812341234")
            .unwrap_err()
            .0
            .contains("13至19"));
        assert!(MobilePhone::parse("23812341234").is_err());
        assert_eq!(
            MobilePhone::parse("1381234123a").unwrap_err().0,
            "手机号码只能包含数字"
        );
        assert!(MobilePhone::parse("010-12345678").is_err());
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(
            MobilePhone::parse("13812341234").unwrap().masked(),
            "138****1234"
        );
    }

    proptest! {
        #[test]
        fn every_valid_number_round_trips(second in 3u8..=9, rest in "[0-9]{9}") {
            let s = format!("1{second}{rest}");
            let p = MobilePhone::parse(&s).unwrap();
            prop_assert_eq!(p.as_str(), s.as_str());
            prop_assert_eq!(MobilePhone::parse(&format!("+86 {s}")).unwrap(), p);
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = MobilePhone::parse(&s);
        }
    }

    #[test]
    fn sms_codes_are_six_digits() {
        assert_eq!(SmsCode::parse(" 012 345 ").unwrap().as_str(), "012345");
        assert_eq!(SmsCode::parse("０１２３４５").unwrap().as_str(), "012345");
        assert_eq!(SmsCode::parse("").unwrap_err().0, "请填写短信验证码");
        for bad in ["12345", "1234567", "12345a", "-12345"] {
            assert_eq!(
                SmsCode::parse(bad).unwrap_err().0,
                "验证码为6位数字",
                "{bad}"
            );
        }
        assert_eq!(
            format!("{:?}", SmsCode::parse("123456").unwrap()),
            "SmsCode(******)"
        );
    }

    proptest! {
        #[test]
        fn every_six_digit_string_is_a_code(n in 0u32..1_000_000) {
            let s = format!("{n:06}");
            let code = SmsCode::parse(&s).unwrap();
            prop_assert_eq!(code.as_str(), s.as_str());
        }
    }
}
