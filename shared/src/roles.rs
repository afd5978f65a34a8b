use serde::{Deserialize, Serialize};

/// The actors of DOMAIN.md "Actors and what each may see".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    Agent,
    Manager,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Applicant,
        Role::Agent,
        Role::Manager,
        Role::Supervisor,
        Role::Admin,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Agent => "agent",
            Role::Manager => "manager",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Applicant => "申请人",
            Role::Agent => "帮办代办员",
            Role::Manager => "中心管理员",
            Role::Supervisor => "政务服务科督查",
            Role::Admin => "系统管理员",
        }
    }

    /// Staff work for a center; applicants are the public.
    pub fn is_staff(self) -> bool {
        self != Role::Applicant
    }

    /// Where each role lands after logging in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Applicant => "/me",
            Role::Agent | Role::Manager => "/workbench",
            Role::Supervisor => "/supervision",
            Role::Admin => "/admin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_applicants_are_public() {
        assert!(!Role::Applicant.is_staff());
        assert!(Role::ALL.iter().filter(|r| r.is_staff()).count() == 4);
    }
}
