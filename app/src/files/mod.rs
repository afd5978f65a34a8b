//! Files people hand in (materials, power of attorney, supplements, signatures): PDF, JPEG or PNG
//! only, recognised by their content; at most 20 MB; stored outside the served site under a
//! server-chosen name with a SHA-256 checksum; opened only through a handler that checks who is
//! asking and records every opening. Never cached by browsers: they may hold trade secrets.

pub mod signature;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const MAX_BYTES: usize = 20 * 1024 * 1024;
const TOO_LARGE: &str = "文件超过20MB，请压缩或分页扫描后再上传";

pub fn purpose_label(purpose: &str) -> &'static str {
    match purpose {
        "material" => "申请材料",
        "power_of_attorney" => "授权委托书",
        "supplement" => "补正材料",
        "signature" => "签名",
        "seal" => "单位盖章的申请表",
        "signed_form" => "申请人签字的纸质申请表",
        _ => "文件",
    }
}

/// What the upload handler answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Uploaded {
    pub id: i64,
    pub name: String,
    pub size_kb: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct UploadError {
    error: String,
}

/// A file picker that uploads at once, showing progress (villages have slow networks).
#[component]
pub fn UploadButton(
    #[prop(into)] purpose: String,
    #[prop(into)] label: String,
    /// Attach to this case at once; without it the file waits for the application's submit.
    #[prop(optional)]
    case_number: Option<String>,
    /// The checklist material the file is for.
    #[prop(optional, into)]
    material: Option<String>,
    #[prop(into)] on_uploaded: Callback<Uploaded>,
) -> impl IntoView {
    let aria = material
        .as_ref()
        .map(|m| format!("{label}：{m}"))
        .unwrap_or_else(|| label.to_string());
    let progress = RwSignal::new(None::<u32>);
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    let purpose_sent = purpose.clone();
    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = input.get() else { return };
            let Some(file) = el.files().and_then(|f| f.get(0)) else {
                return;
            };
            error.set(None);
            if file.size() > MAX_BYTES as f64 {
                error.set(Some(TOO_LARGE.into()));
                el.set_value("");
                return;
            }
            client::upload(
                file,
                &purpose_sent,
                case_number.clone(),
                material.clone(),
                progress,
                error,
                on_uploaded,
            );
            el.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (&input, &case_number, &material, &on_uploaded, &purpose_sent);
        }
    };
    view! {
        <div class="upload" data-purpose=purpose>
            <label class="button big upload-button">
                {label}
                <input node_ref=input type="file" class="visually-hidden" aria-label=aria
                    accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
                    on:change=on_change/>
            </label>
            <span class="upload-progress" class:hidden=move || progress.get().is_none()>
                <progress max="100" value=move || progress.get().unwrap_or(0)></progress>
                <span class="upload-percent">{move || format!("上传中 {}%", progress.get().unwrap_or(0))}</span>
            </span>
            <span class="field-error" role="alert" data-field=purpose.clone()>{move || error.get()}</span>
        </div>
    }
}

/// An upload straight onto a case: the page reloads to show the file in the case's list.
#[island]
pub fn UploadToCase(
    purpose: String,
    label: String,
    case_number: String,
    #[prop(optional)] material: Option<String>,
) -> impl IntoView {
    let done = move |_| crate::ui::reload_page();
    // Either, not AnyView: a type-erased view carries twice the code to the browser.
    match material {
        Some(m) => leptos::either::Either::Left(
            view! { <UploadButton purpose label case_number material=m on_uploaded=done/> },
        ),
        None => leptos::either::Either::Right(
            view! { <UploadButton purpose label case_number on_uploaded=done/> },
        ),
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use super::{UploadError, Uploaded};
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    pub fn upload(
        file: web_sys::File,
        purpose: &str,
        case_number: Option<String>,
        material: Option<String>,
        progress: RwSignal<Option<u32>>,
        error: RwSignal<Option<String>>,
        on_uploaded: Callback<Uploaded>,
    ) {
        let fail = move |msg: &str| {
            progress.set(None);
            error.set(Some(msg.to_string()));
        };
        let (Ok(xhr), Ok(form)) = (web_sys::XmlHttpRequest::new(), web_sys::FormData::new()) else {
            return fail("浏览器不支持上传，请换用系统浏览器");
        };
        let _ = form.append_with_str("purpose", purpose);
        if let Some(n) = &case_number {
            let _ = form.append_with_str("case", n);
        }
        if let Some(m) = &material {
            let _ = form.append_with_str("material", m);
        }
        let _ = form.append_with_blob_and_filename("file", &file, &file.name());
        if xhr.open("POST", "/files").is_err() {
            return fail("上传失败，请重试");
        }
        progress.set(Some(0));
        if let Ok(up) = xhr.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |e: web_sys::ProgressEvent| {
                    if e.length_computable() && e.total() > 0.0 {
                        progress.set(Some((e.loaded() / e.total() * 100.0) as u32));
                    }
                },
            );
            up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let done_xhr = xhr.clone();
        let on_done = Closure::<dyn FnMut()>::new(move || {
            let text = done_xhr.response_text().ok().flatten().unwrap_or_default();
            match done_xhr.status().unwrap_or(0) {
                200 => match serde_json::from_str::<Uploaded>(&text) {
                    Ok(u) => {
                        progress.set(None);
                        on_uploaded.run(u);
                    }
                    Err(_) => fail("上传失败，请重试"),
                },
                _ => match serde_json::from_str::<UploadError>(&text) {
                    Ok(e) => fail(&e.error),
                    Err(_) => fail("上传失败，请检查网络后重试"),
                },
            }
        });
        xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
        on_done.forget();
        if xhr.send_with_opt_form_data(Some(&form)).is_err() {
            fail("上传失败，请检查网络后重试");
        }
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{UploadError, Uploaded, MAX_BYTES, TOO_LARGE};
    use crate::accounts::ssr::{AuthSession, User};
    use crate::error::AppError;
    use crate::state::AppState;
    use axum::extract::{ConnectInfo, Multipart, Path, State};
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::Json;
    use sha2::{Digest, Sha256};
    use sqlx::{Postgres, Transaction};
    use std::net::SocketAddr;

    /// Uploads never attached to a case (an application abandoned half-way) are kept this long.
    pub const UNATTACHED_DAYS: i32 = 7;

    /// Removes from disk the uploads older than `UNATTACHED_DAYS` that no case holds; returns
    /// how many. Their records stay, marked removed: who opened them is kept (the application may
    /// not delete those records). A file whose removal from disk fails is logged and left there.
    pub async fn prune_unattached(
        pool: &sqlx::PgPool,
        files_dir: &std::path::Path,
    ) -> Result<usize, AppError> {
        let gone: Vec<String> = sqlx::query_scalar(
            "UPDATE stored_files f SET removed_at = now()
             WHERE f.case_id IS NULL AND f.removed_at IS NULL
               AND f.uploaded_at < now() - make_interval(days => $1)
               AND NOT EXISTS (SELECT 1 FROM cases c
                               WHERE c.signature_file = f.id OR c.agent_signature_file = f.id)
             RETURNING f.stored_name",
        )
        .bind(UNATTACHED_DAYS)
        .fetch_all(pool)
        .await?;
        for name in &gone {
            if let Err(e) = tokio::fs::remove_file(files_dir.join(name)).await {
                tracing::warn!(file = %name, error = %e, "pruned upload not removed from disk");
            }
        }
        Ok(gone.len())
    }

    /// A file written to disk, not yet recorded.
    pub struct Stored {
        pub stored_name: String,
        pub content_type: &'static str,
        pub size: i64,
        pub sha256: String,
    }

    /// The type of a file by its first bytes, whatever its name says.
    pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
        if bytes.starts_with(b"%PDF-") {
            Some("application/pdf")
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some("image/jpeg")
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some("image/png")
        } else {
            None
        }
    }

    /// The ending of a file still being written.
    const PART: &str = ".part";

    /// A full disk (or quota) is said as such: the person can do nothing but wait, and the
    /// center must know.
    fn storage_error(e: std::io::Error) -> AppError {
        const ENOSPC: i32 = 28;
        const EDQUOT: i32 = 122;
        if e.kind() == std::io::ErrorKind::StorageFull
            || matches!(e.raw_os_error(), Some(ENOSPC | EDQUOT))
        {
            tracing::error!(error = %e, "files folder is full: uploads are refused");
            AppError::Rejected(
                "服务器存储空间已满，文件未保存。请稍后再试，或联系服务中心。".into(),
            )
        } else {
            AppError::internal(e)
        }
    }

    /// Removes what a write cut short (the process stopped mid-write) left behind: files with
    /// the temporary ending older than an hour.
    pub async fn sweep_partial(dir: &std::path::Path) -> usize {
        let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
            return 0;
        };
        let mut removed = 0;
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        while let Ok(Some(e)) = entries.next_entry().await {
            let old = e
                .metadata()
                .await
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < hour_ago);
            if old
                && e.file_name().to_string_lossy().ends_with(PART)
                && tokio::fs::remove_file(e.path()).await.is_ok()
            {
                removed += 1;
            }
        }
        removed
    }

    /// Checks and writes `bytes` under a fresh random name in `dir`.
    pub async fn store(dir: &std::path::Path, bytes: &[u8]) -> Result<Stored, AppError> {
        if bytes.is_empty() {
            return Err(AppError::field("file", "文件是空的，请重新选择"));
        }
        if bytes.len() > MAX_BYTES {
            return Err(AppError::field("file", TOO_LARGE));
        }
        let content_type = sniff(bytes).ok_or_else(|| {
            AppError::field("file", "只能上传PDF、JPG或PNG文件（按文件内容识别）")
        })?;
        let stored_name = uuid::Uuid::new_v4().simple().to_string();
        // Written under a temporary name, flushed to disk, then renamed: a file under its
        // final name is always whole, and a failed write leaves nothing behind.
        // (std's file, on a blocking thread: tokio's reports a failed write only on a later
        // call, if at all.)
        let part = dir.join(format!("{stored_name}{PART}"));
        let (done, owned, target) = (part.clone(), bytes.to_vec(), dir.join(&stored_name));
        let dir = dir.to_path_buf();
        let written = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            let mut f = std::fs::File::create(&done)?;
            f.write_all(&owned)?;
            f.sync_all()?;
            std::fs::rename(&done, &target)
        })
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(storage_error(e));
        }
        Ok(Stored {
            stored_name,
            content_type,
            size: bytes.len() as i64,
            sha256: format!("{:x}", Sha256::digest(bytes)),
        })
    }

    pub async fn record(
        tx: &mut Transaction<'_, Postgres>,
        s: &Stored,
        uploader: i64,
        case_id: Option<i64>,
        purpose: &str,
        original_name: &str,
    ) -> Result<i64, AppError> {
        let name: String = original_name
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        Ok(sqlx::query_scalar(
            "INSERT INTO stored_files (case_id, uploaded_by, purpose, original_name, stored_name, content_type,
                 size_bytes, sha256)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(case_id)
        .bind(uploader)
        .bind(purpose)
        .bind(if name.trim().is_empty() { "文件".to_string() } else { name })
        .bind(&s.stored_name)
        .bind(s.content_type)
        .bind(s.size)
        .bind(&s.sha256)
        .fetch_one(&mut **tx)
        .await?)
    }

    fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
        (
            status,
            Json(UploadError {
                error: message.into(),
            }),
        )
            .into_response()
    }

    fn refuse_error(e: AppError) -> Response {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
        refuse(status, e.to_string())
    }

    /// A broken upload stream: the request body limit shows as one (413), else the network.
    fn stream_broken(e: axum::extract::multipart::MultipartError) -> Response {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE);
        }
        tracing::info!(error = %e, "upload stream broken");
        refuse(StatusCode::BAD_REQUEST, "上传中断，请重试")
    }

    /// `POST /files` (multipart: `purpose`, optional `case` number, `file`).
    pub async fn upload(
        State(state): State<AppState>,
        auth: AuthSession,
        peer: axum::extract::ConnectInfo<std::net::SocketAddr>,
        headers: http::HeaderMap,
        mut multipart: Multipart,
    ) -> Response {
        let Some(user) = auth.user else {
            return refuse(StatusCode::UNAUTHORIZED, "请先登录");
        };
        // Counted before the body is read: a refused upload costs us no disk and little time.
        let address = crate::accounts::ssr::client_address(
            Some(peer.0.ip().to_string()),
            &headers,
            state.trust_proxy,
        )
        .unwrap_or_default();
        let account = user.id.to_string();
        for (limit, subject) in [
            (crate::limits::UPLOAD_PER_ACCOUNT, &account),
            (crate::limits::UPLOAD_PER_ADDRESS, &address),
            (crate::limits::UPLOAD_PER_ACCOUNT_DAY, &account),
        ] {
            if let Err(e) = crate::limits::hit(&state.pool, limit, subject).await {
                return refuse_error(e);
            }
        }
        let mut purpose = None;
        let mut case = None;
        let mut material = None;
        let mut file: Option<(String, Vec<u8>)> = None;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return stream_broken(e),
            };
            match field.name().unwrap_or_default() {
                "purpose" => purpose = field.text().await.ok(),
                "case" => case = field.text().await.ok().filter(|c| !c.is_empty()),
                "material" => material = field.text().await.ok(),
                "file" => {
                    let name = field.file_name().unwrap_or("文件").to_string();
                    let mut field = field;
                    let mut bytes = Vec::new();
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => {
                                if bytes.len() + chunk.len() > MAX_BYTES {
                                    return refuse(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE);
                                }
                                bytes.extend_from_slice(&chunk);
                            }
                            Ok(None) => break,
                            Err(e) => return stream_broken(e),
                        }
                    }
                    file = Some((name, bytes));
                }
                _ => {}
            }
        }
        let purpose = match purpose.as_deref() {
            Some(
                p @ ("material" | "power_of_attorney" | "supplement" | "seal" | "signed_form"),
            ) => p.to_string(),
            _ => return refuse(StatusCode::BAD_REQUEST, "上传用途不正确"),
        };
        // The printed form signed on paper stands for a signature: an agent takes it in from
        // the person, for a case.
        if purpose == "signed_form" && (!user.role().is_staff() || case.is_none()) {
            return refuse(
                StatusCode::FORBIDDEN,
                "签字的纸质申请表由帮办代办员为代办件上传",
            );
        }
        let Some((name, bytes)) = file else {
            return refuse(StatusCode::BAD_REQUEST, "请选择要上传的文件");
        };
        let material = match material.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(m) if m.chars().count() <= 100 && !m.chars().any(char::is_control) => {
                Some(m.to_string())
            }
            Some(_) => return refuse(StatusCode::BAD_REQUEST, "材料名称不正确"),
        };
        let case_id = match &case {
            Some(number) => match attachable(&state.pool, &user, number).await {
                Ok(id) => Some(id),
                Err(e) => return refuse_error(e),
            },
            None => None,
        };
        let stored = match store(&state.files_dir, &bytes).await {
            Ok(s) => s,
            Err(e) => return refuse_error(e),
        };
        let recorded = async {
            let mut tx = state.pool.begin().await?;
            let id = record(&mut tx, &stored, user.id, case_id, &purpose, &name).await?;
            if let Some(m) = &material {
                sqlx::query("UPDATE stored_files SET material = $2 WHERE id = $1")
                    .bind(id)
                    .bind(m)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(number) = &case {
                let who = crate::audit::ssr::Who {
                    actor: Some(user.id),
                    ip: Some(address.clone()),
                };
                crate::audit::ssr::files_attached(&mut *tx, &who, number, &[id]).await?;
            }
            tx.commit().await?;
            Ok::<_, AppError>(id)
        }
        .await;
        match recorded {
            Ok(id) => {
                tracing::info!(
                    file = id,
                    user = user.id,
                    size = stored.size,
                    "file uploaded"
                );
                Json(Uploaded {
                    id,
                    name,
                    size_kb: (stored.size + 1023) / 1024,
                })
                .into_response()
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(state.files_dir.join(&stored.stored_name)).await;
                refuse_error(e)
            }
        }
    }

    /// The case a file may be attached to: an open case the user works on (its applicant, its
    /// responsible agent, its unit's manager). Readers — other agents, supervisors — attach
    /// nothing, and nobody attaches to a closed case.
    async fn attachable(pool: &sqlx::PgPool, user: &User, number: &str) -> Result<i64, AppError> {
        let (case, access) = crate::case_log::ssr::visible(pool, user, number).await?;
        if access != crate::case_log::Access::Act {
            return Err(AppError::Forbidden);
        }
        if !case.state.is_open() {
            return Err(AppError::Rejected(format!(
                "此代办件{}，不能再上传材料",
                case.state.label()
            )));
        }
        Ok(case.id)
    }

    /// Whether `user` may open file `id`: its case is visible to them, or it is their own
    /// upload not yet attached to a case.
    async fn may_open(
        pool: &sqlx::PgPool,
        user: &User,
        id: i64,
    ) -> Result<(String, String, String), AppError> {
        let sql = format!(
            "SELECT f.stored_name, f.content_type, f.original_name FROM stored_files f
             LEFT JOIN cases c ON c.id = f.case_id
             WHERE f.id = $1 AND f.removed_at IS NULL
               AND ((f.case_id IS NULL AND f.uploaded_by = $2) OR (c.id IS NOT NULL AND {}))",
            crate::case_log::ssr::VISIBLE
        );
        let row: Option<(String, String, String)> = sqlx::query_as(&sql)
            .bind(id)
            .bind(user.id)
            .bind(user.role().as_str())
            .bind(user.center_id)
            .bind(user.department_id)
            .fetch_optional(pool)
            .await?;
        row.ok_or(AppError::NotFound)
    }

    /// `GET /files/{id}`: the file, to someone allowed to see it, recorded.
    pub async fn open(
        State(state): State<AppState>,
        auth: AuthSession,
        ConnectInfo(peer): ConnectInfo<SocketAddr>,
        Path(id): Path<i64>,
    ) -> Response {
        let Some(user) = auth.user else {
            return refuse(StatusCode::UNAUTHORIZED, "请先登录");
        };
        let (stored_name, content_type, original_name) =
            match may_open(&state.pool, &user, id).await {
                Ok(row) => row,
                Err(e) => return refuse_error(e),
            };
        let bytes = match tokio::fs::read(state.files_dir.join(&stored_name)).await {
            Ok(b) => b,
            Err(e) => return refuse_error(AppError::internal(e)),
        };
        let logged =
            sqlx::query("INSERT INTO file_accesses (file_id, account_id, ip) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(user.id)
                .bind(peer.ip().to_string())
                .execute(&state.pool)
                .await;
        // An opening that cannot be recorded is not allowed.
        if let Err(e) = logged {
            return refuse_error(e.into());
        }
        // Scans open in the browser; a PDF (which may carry scripts of its own) is downloaded.
        let kind = if content_type == "application/pdf" {
            "attachment"
        } else {
            "inline"
        };
        let disposition = format!(
            "{kind}; filename*=UTF-8''{}",
            original_name
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() || b == b'.' {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                })
                .collect::<String>()
        );
        let mut res = bytes.into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, private"),
        );
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        // Opened on its own, the file runs nothing and reaches nothing of ours.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
            ),
        );
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        res
    }
}
