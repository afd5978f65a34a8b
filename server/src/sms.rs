//! SMS gateways behind `SmsSender`: Tencent Cloud SMS (API 3.0, `SendSms`, requests signed
//! with TC3-HMAC-SHA256), and the development file. Chosen by `BANGBAN_SMS_PROVIDER`.

use app::notifications::ssr::{FileSender, Sms, SmsError, SmsSender};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Tencent Cloud SMS settings (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct TencentConfig {
    /// `https://sms.tencentcloudapi.com` unless a test points elsewhere.
    pub endpoint: String,
    pub region: String,
    pub secret_id: String,
    pub secret_key: String,
    pub app_id: String,
    /// The approved sign name (签名), e.g. 内乡县政务服务.
    pub sign_name: String,
    /// The approved template for notices: one parameter, our text without the sign name.
    pub notice_template: String,
    /// The approved template for verification codes: parameters code and minutes.
    pub code_template: String,
}

pub struct TencentSender {
    config: TencentConfig,
    host: String,
    client: reqwest::Client,
}

const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl TencentSender {
    pub fn new(config: TencentConfig) -> Result<TencentSender, String> {
        let url = reqwest::Url::parse(&config.endpoint)
            .map_err(|e| format!("BANGBAN_SMS_ENDPOINT 无效：{e}"))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => return Err("BANGBAN_SMS_ENDPOINT 缺少主机名".into()),
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(TencentSender {
            config,
            host,
            client,
        })
    }

    /// The request body for one text: our template kind picks the provider's template.
    pub fn payload(&self, sms: &Sms<'_>) -> Result<serde_json::Value, SmsError> {
        let (template, params) = if sms.template == "verification_code" {
            let code: String = sms
                .body
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if code.len() != 6 {
                return Err(SmsError::Permanent("验证码短信中没有6位验证码".into()));
            }
            let minutes = app::accounts::codes::CODE_MINUTES.to_string();
            (&self.config.code_template, vec![code, minutes])
        } else {
            // The provider puts the sign name in front itself.
            let text = sms
                .body
                .strip_prefix(&format!("【{}】", self.config.sign_name))
                .unwrap_or(sms.body);
            (&self.config.notice_template, vec![text.to_string()])
        };
        Ok(serde_json::json!({
            "PhoneNumberSet": [format!("+86{}", sms.phone)],
            "SmsSdkAppId": self.config.app_id,
            "SignName": self.config.sign_name,
            "TemplateId": template,
            "TemplateParamSet": params,
        }))
    }

    /// The `Authorization` header of a request with `body` sent at `timestamp` (seconds).
    pub fn authorization(&self, body: &str, timestamp: i64) -> String {
        sign(
            &self.config.secret_id,
            &self.config.secret_key,
            &self.host,
            body,
            timestamp,
        )
    }
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// TC3-HMAC-SHA256 over the headers we send (content-type, host, x-tc-action). Public so a
/// test's fake gateway can check a request as the provider would.
pub fn sign(secret_id: &str, secret_key: &str, host: &str, body: &str, timestamp: i64) -> String {
    let date = chrono::DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{}\n\ncontent-type;host;x-tc-action\n{}",
        ACTION.to_lowercase(),
        hex::encode(Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{date}/{SERVICE}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac(format!("TC3{secret_key}").as_bytes(), &date);
    let key = hmac(&key, SERVICE);
    let key = hmac(&key, "tc3_request");
    let signature = hex::encode(hmac(&key, &to_sign));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host;x-tc-action, Signature={signature}"
    )
}

/// Whether the provider's error `code` is worth another try: limits, its own faults and our
/// configuration (fixed by an administrator, the text then goes) are; a wrong number, a
/// blacklisted one or a template or sign it refuses are not.
pub fn retryable(code: &str) -> bool {
    const PERMANENT: [&str; 9] = [
        "InvalidParameterValue.IncorrectPhoneNumber",
        "FailedOperation.PhoneNumberInBlacklist",
        "FailedOperation.PhoneNumberOnBlacklist",
        "FailedOperation.TemplateIncorrectOrUnapproved",
        "FailedOperation.SignatureIncorrectOrUnapproved",
        "FailedOperation.ContainSensitiveWord",
        "InvalidParameterValue.TemplateParameterFormatError",
        "InvalidParameterValue.TemplateParameterLengthLimit",
        "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
    ];
    !PERMANENT.contains(&code)
}

fn failure(code: &str, message: &str) -> SmsError {
    let text = format!("{code}: {message}");
    if retryable(code) {
        SmsError::Retry(text)
    } else {
        SmsError::Permanent(text)
    }
}

impl SmsSender for TencentSender {
    async fn send(&self, sms: &Sms<'_>) -> Result<Option<String>, SmsError> {
        let body = self.payload(sms)?.to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let res = self
            .client
            .post(&self.config.endpoint)
            .header("Authorization", self.authorization(&body, timestamp))
            .header("Content-Type", CONTENT_TYPE)
            .header("Host", &self.host)
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.config.region)
            .body(body)
            .send()
            .await
            .map_err(|e| SmsError::Retry(format!("网关连接失败：{e}")))?;
        let status = res.status();
        let answer: serde_json::Value = res
            .json()
            .await
            .map_err(|e| SmsError::Retry(format!("网关应答无法解析（HTTP {status}）：{e}")))?;
        let response = &answer["Response"];
        if let Some(error) = response.get("Error") {
            return Err(failure(
                error["Code"].as_str().unwrap_or("Unknown"),
                error["Message"].as_str().unwrap_or(""),
            ));
        }
        let one = &response["SendStatusSet"][0];
        match one["Code"].as_str() {
            Some("Ok") => Ok(one["SerialNo"].as_str().map(str::to_string)),
            Some(code) => Err(failure(code, one["Message"].as_str().unwrap_or(""))),
            None => Err(SmsError::Retry(format!(
                "网关应答缺少发送状态（HTTP {status}）"
            ))),
        }
    }
}

/// The sender this process uses.
pub enum Sender {
    File(FileSender),
    Tencent(TencentSender),
}

impl SmsSender for Sender {
    async fn send(&self, sms: &Sms<'_>) -> Result<Option<String>, SmsError> {
        match self {
            Sender::File(s) => s.send(sms).await,
            Sender::Tencent(s) => s.send(sms).await,
        }
    }
}
