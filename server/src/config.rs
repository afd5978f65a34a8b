//! Configuration from the environment, with safe defaults for a developer's machine.

use std::env;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub mode: Mode,
    /// Mark session cookies `Secure` (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// The origin browsers use to reach us, e.g. `https://bangban.example.gov.cn`; when unset,
    /// a state-changing request must come from the host it was sent to.
    pub public_origin: Option<String>,
    /// Uploaded files (BANGBAN_FILES_DIR, default `data/files`): outside the served site.
    pub files_dir: std::path::PathBuf,
    /// Requests come through a reverse proxy that appends the client to `X-Forwarded-For`
    /// (BANGBAN_TRUST_PROXY=true); rate limits and records then use that address.
    pub trust_proxy: bool,
    /// Where the development SMS sender writes messages (BANGBAN_SMS_FILE, default
    /// `data/sms-outbox.jsonl`).
    pub sms_file: std::path::PathBuf,
    /// The SMS gateway (BANGBAN_SMS_PROVIDER=tencent and its settings); `None`: the file.
    pub sms_gateway: Option<crate::sms::TencentConfig>,
}

#[derive(Debug, thiserror::Error)]
#[error("环境变量 {name} 的值 {value:?} 无效：{reason}")]
pub struct ConfigError {
    name: &'static str,
    value: String,
    reason: &'static str,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let mode = match env::var("BANGBAN_ENV").unwrap_or_default().as_str() {
            "" | "development" | "dev" => Mode::Development,
            "production" | "prod" => Mode::Production,
            other => {
                return Err(ConfigError {
                    name: "BANGBAN_ENV",
                    value: other.into(),
                    reason: "应为 development 或 production",
                })
            }
        };
        let secure_cookies = match env::var("BANGBAN_SECURE_COOKIES").ok().as_deref() {
            None | Some("") => mode == Mode::Production,
            Some("1" | "true") => true,
            Some("0" | "false") => false,
            Some(other) => {
                return Err(ConfigError {
                    name: "BANGBAN_SECURE_COOKIES",
                    value: other.into(),
                    reason: "应为 true 或 false",
                })
            }
        };
        let trust_proxy = match env::var("BANGBAN_TRUST_PROXY").ok().as_deref() {
            None | Some("" | "0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => {
                return Err(ConfigError {
                    name: "BANGBAN_TRUST_PROXY",
                    value: other.into(),
                    reason: "应为 true 或 false",
                })
            }
        };
        let sms_gateway = match env::var("BANGBAN_SMS_PROVIDER")
            .unwrap_or_default()
            .as_str()
        {
            "" | "file" => None,
            "tencent" => {
                let need = |name: &'static str| {
                    env::var(name)
                        .ok()
                        .filter(|v| !v.trim().is_empty())
                        .ok_or(ConfigError {
                            name,
                            value: String::new(),
                            reason: "使用腾讯云短信时必须设置",
                        })
                };
                Some(crate::sms::TencentConfig {
                    endpoint: env::var("BANGBAN_SMS_ENDPOINT")
                        .ok()
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| "https://sms.tencentcloudapi.com".into()),
                    region: env::var("BANGBAN_SMS_REGION")
                        .ok()
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| "ap-guangzhou".into()),
                    secret_id: need("TENCENTCLOUD_SECRET_ID")?,
                    secret_key: need("TENCENTCLOUD_SECRET_KEY")?,
                    app_id: need("BANGBAN_SMS_APP_ID")?,
                    sign_name: need("BANGBAN_SMS_SIGN_NAME")?,
                    notice_template: need("BANGBAN_SMS_TEMPLATE_NOTICE")?,
                    code_template: need("BANGBAN_SMS_TEMPLATE_CODE")?,
                })
            }
            other => {
                return Err(ConfigError {
                    name: "BANGBAN_SMS_PROVIDER",
                    value: other.into(),
                    reason: "应为 file 或 tencent",
                })
            }
        };
        Ok(Config {
            sms_gateway,
            trust_proxy,
            database_url: env::var("DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/bangban".into()),
            mode,
            secure_cookies,
            public_origin: env::var("BANGBAN_PUBLIC_ORIGIN")
                .ok()
                .filter(|s| !s.is_empty())
                .map(|s| s.trim_end_matches('/').to_string()),
            sms_file: env::var("BANGBAN_SMS_FILE")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "data/sms-outbox.jsonl".into())
                .into(),
            files_dir: env::var("BANGBAN_FILES_DIR")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "data/files".into())
                .into(),
        })
    }
}
