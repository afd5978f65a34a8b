//! National identifiers: the enterprise USCC (GB 32100-2015) and the resident ID number
//! (GB 11643-1999), checked to the check character, plus postal codes.

use super::{to_half_width, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters of GB 32100-2015 (no I, O, S, V, Z), in value order.
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// 统一社会信用代码: 18 characters over the 31-character set, the last a check character with
/// weights 3^(i-1) mod 31.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s: String = to_half_width(input.trim())
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect::<String>()
            .to_ascii_uppercase();
        if s.is_empty() {
            return Err(ValidationError::new("请填写统一社会信用代码"));
        }
        if s.chars().count() != 18 {
            return Err(ValidationError::new(format!(
                "统一社会信用代码应为18位，当前为{}位",
                s.chars().count()
            )));
        }
        let mut values = [0u32; 18];
        for (i, c) in s.chars().enumerate() {
            match USCC_CHARSET.iter().position(|&b| b as char == c) {
                Some(v) => values[i] = v as u32,
                None if matches!(c, 'I' | 'O' | 'S' | 'V' | 'Z') => {
                    return Err(ValidationError::new(format!(
                        "统一社会信用代码第{}位“{c}”不合法（代码中不使用字母I、O、S、V、Z）",
                        i + 1
                    )))
                }
                None => {
                    return Err(ValidationError::new(format!(
                        "统一社会信用代码第{}位“{c}”不合法（只能是数字和大写字母）",
                        i + 1
                    )))
                }
            }
        }
        if !values[2..8].iter().all(|&v| v < 10) {
            return Err(ValidationError::new(
                "统一社会信用代码第3至8位应为行政区划代码（数字）",
            ));
        }
        if values[17] != uscc_check(&values[..17]) {
            return Err(ValidationError::new(
                "统一社会信用代码校验位错误，请核对后重新输入",
            ));
        }
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn uscc_check(first17: &[u32]) -> u32 {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for &v in first17 {
        sum += v * weight;
        weight = weight * 3 % 31;
    }
    (31 - sum % 31) % 31
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 公民身份号码: 17 digits and an ISO 7064 MOD 11-2 check character (0–9 or X), with a real
/// birth date that is not in the future.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResidentId(String);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

impl ResidentId {
    /// `today` is the date in Beijing, so a birth date cannot lie in the future.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, ValidationError> {
        let s: String = to_half_width(input.trim())
            .chars()
            .filter(|c| *c != ' ')
            .collect::<String>()
            .to_ascii_uppercase();
        if s.is_empty() {
            return Err(ValidationError::new("请填写身份证号码"));
        }
        let n = s.chars().count();
        if n != 18 {
            return Err(ValidationError::new(format!(
                "身份证号码应为18位，当前为{n}位"
            )));
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::new("身份证号码前17位应为数字"));
        }
        if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(ValidationError::new("身份证号码最后一位应为数字或X"));
        }
        let birth = digits_date(&bytes[6..14])
            .filter(|d| *d >= NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date"));
        match birth {
            None => return Err(ValidationError::new("身份证号码中的出生日期无效")),
            Some(d) if d > today => {
                return Err(ValidationError::new(
                    "身份证号码中的出生日期无效（晚于今天）",
                ))
            }
            Some(_) => {}
        }
        let sum: u32 = bytes[..17]
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| (b - b'0') as u32 * w)
            .sum();
        if bytes[17] != ID_CHECK[(sum % 11) as usize] {
            return Err(ValidationError::new(
                "身份证号码校验位错误，请核对后重新输入",
            ));
        }
        Ok(ResidentId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For display: `110105********002X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    pub fn birth_date(&self) -> NaiveDate {
        digits_date(&self.0.as_bytes()[6..14]).expect("checked when parsed")
    }
}

/// The date of eight ASCII digits `YYYYMMDD`. Read by hand: chrono's format parser would add
/// about 15 kB to the applicants' browser bundle for this one use.
fn digits_date(d: &[u8]) -> Option<NaiveDate> {
    let num = |r: std::ops::Range<usize>| {
        d.get(r)?.iter().try_fold(0u32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 邮政编码: six digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = to_half_width(input.trim());
        if s.is_empty() {
            return Err(ValidationError::new("请填写邮政编码"));
        }
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new("邮政编码应为6位数字"));
        }
        if s.starts_with('9') {
            return Err(ValidationError::new("不是有效的邮政编码"));
        }
        Ok(PostalCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn real_format_usccs() {
        for ok in [
            "91350100M000100Y43",
            "91110108551385082Q",
            "911100001000079554",
            " 91350100m000100y43 ",
        ] {
            assert!(Uscc::parse(ok).is_ok(), "{ok}: {:?}", Uscc::parse(ok));
        }
        assert_eq!(
            Uscc::parse("91350100m000100y43").unwrap().as_str(),
            "91350100M000100Y43"
        );
        // Full-width, as some input methods type it.
        assert!(Uscc::parse("９１３５０１００Ｍ０００１００Ｙ４３").is_ok());
    }

    #[test]
    fn bad_usccs_say_what_is_wrong() {
        assert_eq!(
            Uscc::parse("91350100M000100Y44").unwrap_err().0,
            "统一社会信用代码校验位错误，请核对后重新输入"
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y4").unwrap_err().0,
            "统一社会信用代码应为18位，当前为17位"
        );
        assert!(Uscc::parse("91350100M0001O0Y43")
            .unwrap_err()
            .0
            .contains("第14位“O”不合法"));
        assert!(Uscc::parse("91350100M000100Y4*")
            .unwrap_err()
            .0
            .contains("只能是数字和大写字母"));
        assert!(Uscc::parse("913A0100M000100Y43")
            .unwrap_err()
            .0
            .contains("行政区划"));
        assert_eq!(Uscc::parse("").unwrap_err().0, "请填写统一社会信用代码");
    }

    #[test]
    fn real_format_resident_ids() {
        let id = ResidentId::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert!(ResidentId::parse("411325198803150019", today()).is_ok());
    }

    #[test]
    fn bad_resident_ids_say_what_is_wrong() {
        let t = today();
        assert_eq!(
            ResidentId::parse("110105194912310021", t).unwrap_err().0,
            "身份证号码校验位错误，请核对后重新输入"
        );
        assert_eq!(
            ResidentId::parse("11010519491231002", t).unwrap_err().0,
            "身份证号码应为18位，当前为17位"
        );
        assert_eq!(
            ResidentId::parse("110105194902300028", t).unwrap_err().0,
            "身份证号码中的出生日期无效"
        );
        assert!(ResidentId::parse("110105203001010010", t)
            .unwrap_err()
            .0
            .contains("出生日期无效"));
        assert_eq!(
            ResidentId::parse("1101051949123100AX", t).unwrap_err().0,
            "身份证号码前17位应为数字"
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y", t).unwrap_err().0,
            "身份证号码最后一位应为数字或X"
        );
        // Full-width digits are folded, not refused.
        assert!(ResidentId::parse("１１０１０５１９４９１２３１００２Ｘ", t).is_ok());
    }

    #[test]
    fn postal_codes() {
        assert_eq!(PostalCode::parse(" 474350 ").unwrap().as_str(), "474350");
        assert!(PostalCode::parse("47435").is_err());
        assert!(PostalCode::parse("47435a").is_err());
        assert!(PostalCode::parse("974350").is_err());
    }

    proptest! {
        #[test]
        fn a_computed_check_character_always_passes(body in "[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{9}") {
            let values: Vec<u32> = body.bytes().map(|b| USCC_CHARSET.iter().position(|&c| c == b).unwrap() as u32).collect();
            let check = USCC_CHARSET[uscc_check(&values) as usize] as char;
            let code = format!("{body}{check}");
            prop_assert!(Uscc::parse(&code).is_ok());
            // Any other last character fails.
            let other = USCC_CHARSET[(uscc_check(&values) as usize + 1) % 31] as char;
            let wrong = format!("{}{}", body, other);
            prop_assert!(Uscc::parse(&wrong).is_err());
        }

        #[test]
        fn a_birth_date_reads_as_chrono_reads_it(s in "[0-9]{8}") {
            prop_assert_eq!(digits_date(s.as_bytes()), NaiveDate::parse_from_str(&s, "%Y%m%d").ok());
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = Uscc::parse(&s);
            let _ = ResidentId::parse(&s, today());
            let _ = PostalCode::parse(&s);
        }
    }
}
