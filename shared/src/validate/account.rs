use super::{to_half_width, ValidationError};
use serde::{Deserialize, Serialize};

/// A password as chosen at registration: 8–64 characters with at least one letter and one digit.
/// Never serialised back to anyone, so it has no `Serialize`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let n = input.chars().count();
        if n == 0 {
            return Err(ValidationError::new("请设置密码"));
        }
        if n < 8 {
            return Err(ValidationError::new("密码至少8位"));
        }
        if n > 64 {
            return Err(ValidationError::new("密码不能超过64位"));
        }
        if !input.chars().any(|c| c.is_ascii_alphabetic())
            || !input.chars().any(|c| c.is_ascii_digit())
        {
            return Err(ValidationError::new("密码需同时包含字母和数字"));
        }
        Ok(Password(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's name as shown to others: 2–30 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        let n = s.chars().count();
        if n == 0 {
            return Err(ValidationError::new("请填写姓名"));
        }
        if n < 2 {
            return Err(ValidationError::new("姓名至少2个字"));
        }
        if n > 30 {
            return Err(ValidationError::new("姓名不能超过30个字"));
        }
        if s.chars().any(char::is_control) {
            return Err(ValidationError::new("姓名含有不可见字符"));
        }
        Ok(DisplayName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a person types to log in: a mobile number (applicants) or a staff login of 3–32
/// lowercase letters, digits, `_` or `-` chosen by the administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginName(String);

impl LoginName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = to_half_width(input.trim()).to_ascii_lowercase();
        if s.is_empty() {
            return Err(ValidationError::new("请填写登录账号"));
        }
        if let Ok(phone) = super::MobilePhone::parse(&s) {
            return Ok(LoginName(phone.as_str().to_string()));
        }
        let n = s.chars().count();
        if !(3..=32).contains(&n) {
            return Err(ValidationError::new("登录账号应为3至32位"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(ValidationError::new(
                "登录账号只能包含字母、数字、下划线和连字符",
            ));
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(ValidationError::new(
                "登录账号应以字母开头（申请人请用手机号登录）",
            ));
        }
        Ok(LoginName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(Password::parse("abc12345").is_ok());
        assert_eq!(Password::parse("").unwrap_err().0, "请设置密码");
        assert_eq!(Password::parse("ab1").unwrap_err().0, "密码至少8位");
        assert_eq!(
            Password::parse("abcdefgh").unwrap_err().0,
            "密码需同时包含字母和数字"
        );
        assert_eq!(
            Password::parse("12345678").unwrap_err().0,
            "密码需同时包含字母和数字"
        );
        assert!(Password::parse(&"a1".repeat(33)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("abc12345").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn display_name_rules() {
        assert_eq!(DisplayName::parse("  张三 ").unwrap().as_str(), "张三");
        assert!(DisplayName::parse("张").is_err());
        assert!(DisplayName::parse("").is_err());
        assert!(DisplayName::parse("张\u{0}三").is_err());
        assert!(DisplayName::parse(&"张".repeat(31)).is_err());
    }

    #[test]
    fn login_names() {
        assert_eq!(
            LoginName::parse("+86 138 1234 1234").unwrap().as_str(),
            "13812341234"
        );
        assert_eq!(LoginName::parse(" Agent01 ").unwrap().as_str(), "agent01");
        assert!(LoginName::parse("ab").is_err());
        assert!(LoginName::parse("a b c").is_err());
        assert!(LoginName::parse("1234").is_err());
        assert!(LoginName::parse("").is_err());
    }
}
