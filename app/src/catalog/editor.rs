//! Editing one item of a draft list in full: its disclosure fields, its materials checklist and
//! its special steps; adding and removing items. Everything lands in the draft and is public
//! only once the list is filed.

// Server functions take one argument per form field, and the disclosure form has many.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::ui::{action_error, FieldMessage, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::case::SpecialStepKind;
use shared::catalog::{Category, MaterialForm};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemForEdit {
    pub id: i64,
    pub list_id: i64,
    pub editable: bool,
    pub department: String,
    pub name: String,
    pub category: Category,
    pub pre_guidance: String,
    pub keywords: String,
    pub scope: String,
    pub method: String,
    pub booking_phone: String,
    pub mailing_address: String,
    pub mailing_recipient: String,
    pub materials: Vec<(i64, super::Material)>,
    pub steps: Vec<(i64, super::SpecialStep)>,
}

#[server(endpoint = "catalog/item_for_edit")]
pub async fn load_item_for_edit(id: i64) -> Result<ItemForEdit, AppError> {
    ssr::load(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        id,
    )
    .await
}

#[server(endpoint = "catalog/save_disclosure")]
pub async fn save_disclosure(
    item_id: i64,
    category: String,
    pre_guidance: String,
    keywords: String,
    scope: String,
    method: String,
    booking_phone: String,
    mailing_address: String,
    mailing_recipient: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    let d = ssr::Disclosure::parse(
        &category,
        [
            &pre_guidance,
            &keywords,
            &scope,
            &method,
            &booking_phone,
            &mailing_address,
            &mailing_recipient,
        ],
    )?;
    ssr::save_disclosure(&crate::state::pool()?, &user, item_id, &d).await
}

#[server(endpoint = "catalog/add_material")]
pub async fn add_material(
    item_id: i64,
    name: String,
    form: String,
    copies: String,
    mandatory: Option<String>,
    notes: String,
    source: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    let m = ssr::parse_material(&name, &form, &copies, mandatory.is_some(), &notes, &source)?;
    ssr::add_material(&crate::state::pool()?, &user, item_id, &m).await
}

#[server(endpoint = "catalog/remove_material")]
pub async fn remove_material(material_id: i64) -> Result<(), AppError> {
    ssr::remove_part(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        ssr::Part::Material,
        material_id,
    )
    .await
}

#[server(endpoint = "catalog/add_step")]
pub async fn add_step(
    item_id: i64,
    kind: String,
    counts_toward_limit: Option<String>,
    notes: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    let step = ssr::parse_step(&kind, counts_toward_limit.is_some(), &notes)?;
    ssr::add_step(&crate::state::pool()?, &user, item_id, &step).await
}

#[server(endpoint = "catalog/remove_step")]
pub async fn remove_step(step_id: i64) -> Result<(), AppError> {
    ssr::remove_part(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        ssr::Part::Step,
        step_id,
    )
    .await
}

/// Adds an item at the end of a draft list; returns its id.
#[server(endpoint = "catalog/add_item")]
pub async fn add_item(
    list_id: i64,
    name: String,
    category: String,
    item_type: String,
    promised_days: String,
) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    let edit = super::lists::ItemEdit::parse(&name, &item_type, &promised_days, "", "");
    let category = Category::parse(&category);
    let edit = match (edit, category) {
        (Ok(edit), Some(c)) => (edit, c),
        (Err(AppError::Invalid(mut errors)), None) => {
            errors.push(crate::error::FieldError {
                field: "category".into(),
                message: "请选择事项类别".into(),
            });
            return Err(AppError::Invalid(errors));
        }
        (Err(e), _) => return Err(e),
        (Ok(_), None) => return Err(AppError::field("category", "请选择事项类别")),
    };
    ssr::add_item(&crate::state::pool()?, &user, list_id, &edit.0, edit.1).await
}

#[server(endpoint = "catalog/remove_item")]
pub async fn remove_item(item_id: i64) -> Result<(), AppError> {
    ssr::remove_item(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        item_id,
    )
    .await
}

/// `/catalog/manage/items/:id`: one item of a draft, in full.
#[component]
pub fn EditItemPage() -> impl IntoView {
    let id = leptos_router::hooks::use_params_map().with_untracked(|p| p.get("id"));
    view! { <EditItem id/> }
}

// Interactive throughout: the editor is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
fn EditItem(id: Option<String>) -> impl IntoView {
    let save = ServerAction::<SaveDisclosure>::new();
    let add_m = ServerAction::<AddMaterial>::new();
    let rm_m = ServerAction::<RemoveMaterial>::new();
    let add_s = ServerAction::<AddStep>::new();
    let rm_s = ServerAction::<RemoveStep>::new();
    let item = Resource::new(
        move || {
            (
                id.clone(),
                save.version().get(),
                add_m.version().get(),
                rm_m.version().get(),
                add_s.version().get(),
                rm_s.version().get(),
            )
        },
        |(id, ..)| async move {
            match id.and_then(|id| id.parse().ok()) {
                Some(id) => load_item_for_edit(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let save_error = action_error(save);
    let m_error = action_error(add_m);
    let s_error = action_error(add_s);
    let other = Signal::derive(move || {
        [save_error.get(), m_error.get(), s_error.get()]
            .into_iter()
            .flatten()
            .find(|e| !e.is_field_error())
            .or_else(|| action_error(rm_m).get())
            .or_else(|| action_error(rm_s).get())
    });
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))));
    view! {
        <section class="card wide">
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    item.await.map(|it| {
                        let dis = !it.editable;
                        let id = it.id;
                        view! {
                            <p class="breadcrumb"><a href="/catalog/manage">"事项清单维护"</a>{format!(" › {}", it.department)}</p>
                            <h1>{it.name.clone()}</h1>
                            {dis.then(|| view! { <p class="hint">"清单不在草稿状态，只能查看。"</p> })}
                            <FormError error=other/>
                            <h2>"公示信息"</h2>
                            <ActionForm action=save attr:class="stack-form" attr:novalidate=true>
                                <input type="hidden" name="item_id" value=id.to_string()/>
                                <label class="field"><span>"事项类别"</span>
                                    <select name="category" disabled=dis>
                                        {Category::ALL.into_iter().map(|c| view! {
                                            <option value=c.as_str() selected=c == it.category>{c.label()}</option>
                                        }).collect_view()}
                                    </select>
                                    <FieldMessage error=save_error field="category"/>
                                </label>
                                {[
                                    ("pre_guidance", "前置辅导事项", it.pre_guidance.clone()),
                                    ("keywords", "检索别名（如“低保”，用空格分隔）", it.keywords.clone()),
                                    ("scope", "服务范围", it.scope.clone()),
                                    ("method", "服务方式", it.method.clone()),
                                    ("booking_phone", "预约电话", it.booking_phone.clone()),
                                    ("mailing_address", "邮寄地址", it.mailing_address.clone()),
                                    ("mailing_recipient", "收件人", it.mailing_recipient.clone()),
                                ].into_iter().map(|(name, label, value)| view! {
                                    <label class="field"><span>{label}</span>
                                        <input type="text" name=name value=value disabled=dis/>
                                        <FieldMessage error=save_error field=name/>
                                    </label>
                                }).collect_view()}
                                {it.editable.then(|| view! { <button type="submit" class="button primary">"保存公示信息"</button> })}
                                <Show when=move || saved.get()><p class="form-ok">"已保存到草稿。"</p></Show>
                            </ActionForm>

                            <h2>"申请材料"</h2>
                            <table class="data-table">
                                <thead><tr><th>"材料名称"</th><th>"形式"</th><th>"份数"</th><th>"必需"</th><th>"获取途径"</th><th>"说明"</th><th></th></tr></thead>
                                <tbody>
                                    {it.materials.into_iter().map(|(mid, m)| view! {
                                        <tr>
                                            <td>{m.name}</td><td>{m.form.label()}</td><td>{m.copies}</td>
                                            <td>{if m.mandatory { "是" } else { "视情况" }}</td>
                                            <td>{m.source}</td><td>{m.notes}</td>
                                            <td>{(!dis).then(|| view! {
                                                <ActionForm action=rm_m>
                                                    <input type="hidden" name="material_id" value=mid.to_string()/>
                                                    <button type="submit" class="button small">"删除"</button>
                                                </ActionForm>
                                            })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {it.editable.then(|| view! {
                                <ActionForm action=add_m attr:class="row-form" attr:novalidate=true>
                                    <input type="hidden" name="item_id" value=id.to_string()/>
                                    <label class="field"><span>"材料名称"</span><input type="text" name="name"/>
                                        <FieldMessage error=m_error field="name"/></label>
                                    <label class="field"><span>"形式"</span>
                                        <select name="form">
                                            {[MaterialForm::Original, MaterialForm::Copy, MaterialForm::OriginalAndCopy].into_iter().map(|f| view! {
                                                <option value=f.as_str()>{f.label()}</option>
                                            }).collect_view()}
                                        </select>
                                        <FieldMessage error=m_error field="form"/></label>
                                    <label class="field"><span>"份数"</span><input type="text" name="copies" value="1" inputmode="numeric"/>
                                        <FieldMessage error=m_error field="copies"/></label>
                                    <label class="check"><input type="checkbox" name="mandatory" value="on" checked/>"必需"</label>
                                    <label class="field"><span>"获取途径"</span><input type="text" name="source"/>
                                        <FieldMessage error=m_error field="source"/></label>
                                    <label class="field"><span>"说明"</span><input type="text" name="notes"/>
                                        <FieldMessage error=m_error field="notes"/></label>
                                    <button type="submit" class="button">"添加材料"</button>
                                </ActionForm>
                            })}

                            <h2>"特殊环节"</h2>
                            <ul class="plain">
                                {it.steps.into_iter().map(|(sid, st)| view! {
                                    <li>{super::describe_step(&st)}
                                        {(!dis).then(|| view! {
                                            <ActionForm action=rm_s attr:class="chip-form">
                                                <input type="hidden" name="step_id" value=sid.to_string()/>
                                                <button type="submit" class="button small">"删除"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }).collect_view()}
                            </ul>
                            {it.editable.then(|| view! {
                                <ActionForm action=add_s attr:class="row-form" attr:novalidate=true>
                                    <input type="hidden" name="item_id" value=id.to_string()/>
                                    <label class="field"><span>"环节"</span>
                                        <select name="kind">
                                            {[SpecialStepKind::ExpertReview, SpecialStepKind::SiteInspection, SpecialStepKind::PublicNotice].into_iter().map(|k| view! {
                                                <option value=k.as_str()>{k.label()}</option>
                                            }).collect_view()}
                                        </select>
                                        <FieldMessage error=s_error field="kind"/></label>
                                    <label class="check"><input type="checkbox" name="counts_toward_limit" value="on"/>"计入承诺时限"</label>
                                    <label class="field"><span>"说明"</span><input type="text" name="notes"/>
                                        <FieldMessage error=s_error field="notes"/></label>
                                    <button type="submit" class="button">"添加特殊环节"</button>
                                </ActionForm>
                            })}
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::ItemForEdit;
    use crate::accounts::ssr::User;
    use crate::catalog::lists::{editable_item, editable_list, managed_list, ItemEdit};
    use crate::catalog::{Material, SpecialStep};
    use crate::error::{AppError, FieldErrors};
    use shared::case::SpecialStepKind;
    use shared::catalog::{Category, MaterialForm};
    use sqlx::PgPool;

    /// Checks a free-text field's length, trimmed.
    fn text(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.chars().count() > max {
            errors.add(field, format!("{label}不能超过{max}个字"));
        }
        v.to_string()
    }

    pub struct Disclosure {
        category: Category,
        /// pre_guidance, keywords, scope, method, booking_phone, mailing_address, mailing_recipient
        texts: [String; 7],
    }

    impl Disclosure {
        pub fn parse(category: &str, texts: [&str; 7]) -> Result<Self, AppError> {
            let mut errors = FieldErrors::default();
            let category = Category::parse(category);
            if category.is_none() {
                errors.add("category", "请选择事项类别");
            }
            const FIELDS: [(&str, &str, usize); 7] = [
                ("pre_guidance", "前置辅导事项", 200),
                ("keywords", "检索别名", 100),
                ("scope", "服务范围", 200),
                ("method", "服务方式", 200),
                ("booking_phone", "预约电话", 30),
                ("mailing_address", "邮寄地址", 100),
                ("mailing_recipient", "收件人", 30),
            ];
            let mut out: [String; 7] = Default::default();
            for (i, (field, label, max)) in FIELDS.into_iter().enumerate() {
                out[i] = text(&mut errors, field, label, texts[i], max);
            }
            let phone = &out[4];
            if phone.is_empty() {
                errors.add("booking_phone", "请填写预约电话");
            } else if !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '、' | ','))
            {
                errors.add(
                    "booking_phone",
                    "预约电话只能包含数字和“-”，如 0377-65321234",
                );
            }
            errors.into_result()?;
            Ok(Disclosure {
                category: category.ok_or(AppError::Internal)?,
                texts: out,
            })
        }
    }

    pub fn parse_material(
        name: &str,
        form: &str,
        copies: &str,
        mandatory: bool,
        notes: &str,
        source: &str,
    ) -> Result<Material, AppError> {
        let mut errors = FieldErrors::default();
        let name = text(&mut errors, "name", "材料名称", name, 100);
        if name.chars().count() < 2 {
            errors.add("name", "请填写材料名称（至少2个字）");
        }
        let form = MaterialForm::parse(form);
        if form.is_none() {
            errors.add("form", "请选择原件或复印件");
        }
        let copies: Option<i32> = copies.trim().parse().ok().filter(|c| (1..=20).contains(c));
        if copies.is_none() {
            errors.add("copies", "份数应为1至20之间的整数");
        }
        let notes = text(&mut errors, "notes", "说明", notes, 200);
        let source = text(&mut errors, "source", "获取途径", source, 200);
        errors.into_result()?;
        Ok(Material {
            name,
            form: form.ok_or(AppError::Internal)?,
            copies: copies.ok_or(AppError::Internal)?,
            mandatory,
            notes,
            source,
        })
    }

    pub fn parse_step(kind: &str, counts: bool, notes: &str) -> Result<SpecialStep, AppError> {
        let mut errors = FieldErrors::default();
        let kind = SpecialStepKind::parse(kind);
        if kind.is_none() {
            errors.add("kind", "请选择特殊环节");
        }
        let notes = text(&mut errors, "notes", "说明", notes, 200);
        errors.into_result()?;
        Ok(SpecialStep {
            kind: kind.ok_or(AppError::Internal)?,
            counts_toward_limit: counts,
            notes,
        })
    }

    pub async fn load(pool: &PgPool, user: &User, id: i64) -> Result<ItemForEdit, AppError> {
        let mut tx = pool.begin().await?;
        let list_id: Option<i64> =
            sqlx::query_scalar("SELECT list_id FROM service_items WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let status = managed_list(&mut tx, user, list_id.ok_or(AppError::NotFound)?).await?;
        tx.rollback().await?;
        #[derive(sqlx::FromRow)]
        struct Row {
            list_id: i64,
            department: String,
            name: String,
            category: crate::stored::Known<Category>,
            pre_guidance: String,
            keywords: String,
            scope: String,
            method: String,
            booking_phone: String,
            mailing_address: String,
            mailing_recipient: String,
        }
        let r: Row = sqlx::query_as(
            "SELECT i.list_id, d.name AS department, i.name, i.category, i.pre_guidance, i.keywords, i.scope,
                    i.method, i.booking_phone, i.mailing_address, i.mailing_recipient
             FROM service_items i JOIN item_lists l ON l.id = i.list_id JOIN departments d ON d.id = l.department_id
             WHERE i.id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await?;
        type MaterialRow = (
            i64,
            String,
            crate::stored::Known<MaterialForm>,
            i32,
            bool,
            String,
            String,
        );
        let materials: Vec<MaterialRow> = sqlx::query_as(
            "SELECT id, name, form, copies, mandatory, notes, source FROM item_materials WHERE item_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        let steps: Vec<(i64, crate::stored::Known<SpecialStepKind>, bool, String)> = sqlx::query_as(
            "SELECT id, kind, counts_toward_limit, notes FROM item_special_steps WHERE item_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        Ok(ItemForEdit {
            id,
            list_id: r.list_id,
            editable: status.editable(),
            department: r.department,
            name: r.name,
            category: r.category.0,
            pre_guidance: r.pre_guidance,
            keywords: r.keywords,
            scope: r.scope,
            method: r.method,
            booking_phone: r.booking_phone,
            mailing_address: r.mailing_address,
            mailing_recipient: r.mailing_recipient,
            materials: materials
                .into_iter()
                .map(|(mid, name, form, copies, mandatory, notes, source)| {
                    let form = form.0;
                    (
                        mid,
                        Material {
                            name,
                            form,
                            copies,
                            mandatory,
                            notes,
                            source,
                        },
                    )
                })
                .collect(),
            steps: steps
                .into_iter()
                .map(|(sid, kind, counts_toward_limit, notes)| {
                    (
                        sid,
                        SpecialStep {
                            kind: kind.0,
                            counts_toward_limit,
                            notes,
                        },
                    )
                })
                .collect(),
        })
    }

    pub async fn save_disclosure(
        pool: &PgPool,
        user: &User,
        item_id: i64,
        d: &Disclosure,
    ) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        editable_item(&mut tx, user, item_id).await?;
        let [pre_guidance, keywords, scope, method, phone, address, recipient] = &d.texts;
        sqlx::query(
            "UPDATE service_items SET category = $2, pre_guidance = $3, keywords = $4, scope = $5, method = $6,
                 booking_phone = $7, mailing_address = $8, mailing_recipient = $9 WHERE id = $1",
        )
        .bind(item_id)
        .bind(d.category.as_str())
        .bind(pre_guidance)
        .bind(keywords)
        .bind(scope)
        .bind(method)
        .bind(phone)
        .bind(address)
        .bind(recipient)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_material(
        pool: &PgPool,
        user: &User,
        item_id: i64,
        m: &Material,
    ) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        editable_item(&mut tx, user, item_id).await?;
        sqlx::query(
            "INSERT INTO item_materials (item_id, seq, name, form, copies, mandatory, notes, source)
             SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7 FROM item_materials WHERE item_id = $1",
        )
        .bind(item_id)
        .bind(&m.name)
        .bind(m.form.as_str())
        .bind(m.copies)
        .bind(m.mandatory)
        .bind(&m.notes)
        .bind(&m.source)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_step(
        pool: &PgPool,
        user: &User,
        item_id: i64,
        s: &SpecialStep,
    ) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        editable_item(&mut tx, user, item_id).await?;
        sqlx::query(
            "INSERT INTO item_special_steps (item_id, seq, kind, counts_toward_limit, notes)
             SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4 FROM item_special_steps WHERE item_id = $1",
        )
        .bind(item_id)
        .bind(s.kind.as_str())
        .bind(s.counts_toward_limit)
        .bind(&s.notes)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[derive(Clone, Copy)]
    pub enum Part {
        Material,
        Step,
    }

    /// Removes a material or a special step of a draft item.
    pub async fn remove_part(
        pool: &PgPool,
        user: &User,
        part: Part,
        id: i64,
    ) -> Result<(), AppError> {
        let table = match part {
            Part::Material => "item_materials",
            Part::Step => "item_special_steps",
        };
        let mut tx = pool.begin().await?;
        let item: Option<i64> =
            sqlx::query_scalar(&format!("SELECT item_id FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        editable_item(&mut tx, user, item.ok_or(AppError::NotFound)?).await?;
        sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_item(
        pool: &PgPool,
        user: &User,
        list_id: i64,
        edit: &ItemEdit,
        category: Category,
    ) -> Result<i64, AppError> {
        let mut tx = pool.begin().await?;
        editable_list(&mut tx, user, list_id).await?;
        let inserted = sqlx::query_scalar(
            "INSERT INTO service_items (list_id, seq, name, item_type, promised_days, category, booking_phone)
             SELECT $1, coalesce(max(i.seq), 0) + 1, $2, $3, $4, $5,
                    (SELECT c.phone FROM item_lists l JOIN departments d ON d.id = l.department_id
                     JOIN centers c ON c.id = d.center_id WHERE l.id = $1)
             FROM service_items i WHERE i.list_id = $1
             RETURNING id",
        )
        .bind(list_id)
        .bind(&edit.name)
        .bind(edit.item_type.as_str())
        .bind(edit.promised_days)
        .bind(category.as_str())
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = inserted?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn remove_item(pool: &PgPool, user: &User, item_id: i64) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        editable_item(&mut tx, user, item_id).await?;
        // Materials and special steps go with it (ON DELETE CASCADE); filed versions keep theirs.
        sqlx::query("DELETE FROM service_items WHERE id = $1")
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
