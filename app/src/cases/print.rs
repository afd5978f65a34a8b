//! The case's application form (附件1) on an A4 page, as the policy lays it out, with the
//! handler's signature and, once received, the agent and the receipt time.

use super::{load_case, CaseView};
use leptos::prelude::*;
use shared::application::{ApplicantId, ServiceContent};

#[component]
pub fn PrintApplicationPage() -> impl IntoView {
    let case = crate::ui::route_resource("number", load_case);
    view! {
        <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(c) => view! { <Form c/> }.into_any(),
                    Err(e) => view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Form(c: CaseView) -> impl IntoView {
    let a = c.application.clone();
    let enterprise = a.kind == ApplicantId::Enterprise;
    let ticked = |s: ServiceContent| {
        format!(
            "{}{}",
            if a.services.contains(&s) {
                "☑"
            } else {
                "☐"
            },
            s.label()
        )
    };
    let date = c
        .submitted_at
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let unit = if c.department.is_empty() {
        c.center.clone()
    } else {
        c.department.clone()
    };
    view! {
        <crate::ui::PrintStyle/>
        <article class="print-a4 application-form">
            <p class="no-print actions">
                <button type="button" class="button" data-print="">"打印"</button>
            </p>
            <h1>{format!("{}政务服务事项", super::in_county(&unit))}<br/>"“事前辅导、全程帮办”申请表"</h1>
            <p class="form-number">{format!("编号：{}", c.number)}</p>
            <table class="print-table form-table">
                <tbody>
                    <tr>
                        <th>{if enterprise { "申请单位名称（盖章）" } else { "申请人姓名" }}</th>
                        <td colspan="3">{a.unit_name.clone()}
                            {a.seal_file.map(|id| view! { <img class="seal" src=format!("/files/{id}") alt="单位盖章"/> })}</td>
                    </tr>
                    <tr><th>{if enterprise { "申请单位地址" } else { "地址" }}</th><td colspan="3">{a.address.clone()}</td></tr>
                    <tr>
                        <th>"法人或主要负责人"</th><td>{a.legal_rep.clone()}</td>
                        <th>{if enterprise { "申请单位统一社会信用代码" } else { "公民身份号码" }}</th><td>{a.id_number.clone()}</td>
                    </tr>
                    <tr>
                        <th>"经办人（本人手签）"</th>
                        <td>{a.handler_name.clone()}
                            {c.signature_file.map(|id| view! { <img class="sig" src=format!("/files/{id}") alt="经办人签名"/> })}
                            {(!c.signed).then(|| view! { <span class="unsigned">"（电话预约，待本人签名）"</span> })}</td>
                        <th>"经办人联系电话"</th><td>{a.handler_phone.clone()}</td>
                    </tr>
                    <tr><th>"申请办理政务服务事项名称"</th><td colspan="3">{c.item_name.clone()}</td></tr>
                    <tr><th>"事前辅导事项名称（选填）"</th><td colspan="3">{a.pre_guidance_item.clone()}</td></tr>
                    <tr><th>"代办内容"</th><td colspan="3" class="services">
                        {ServiceContent::ALL.into_iter().map(|s| view! { <span>{ticked(s)}</span> }).collect_view()}
                        {matches!(a.delivery, shared::case::Delivery::Mail { .. }).then(|| view! {
                            <p>{super::delivery_label(&a.delivery)}</p>
                        })}
                    </td></tr>
                    <tr><th>"办理方式"</th><td>{c.mode.label()}</td><th>"申请日期"</th><td>{date}</td></tr>
                    <tr><td colspan="4" class="staff-part">{format!("以下内容由{unit}行政审批工作人员（帮办代办人员）填写")}</td></tr>
                    <tr>
                        <th>"代办人（代办人手签）"</th>
                        <td>{c.agent.clone().map(|(n, _)| n).unwrap_or_default()}
                            {c.agent_signature_file.map(|id| view! { <img class="sig" src=format!("/files/{id}") alt="代办人签名"/> })}</td>
                        <th>"代办申请接收时间"</th><td>{c.received_at.clone().unwrap_or_default()}</td>
                    </tr>
                    <tr><th>"法律责任"</th><td colspan="3" class="legal">
                        {shared::application::LEGAL_TERMS.iter().map(|t| view! { <p>{*t}</p> }).collect_view()}
                    </td></tr>
                </tbody>
            </table>
            <p class="print-footer">"内乡县行政审批服务中心 · 帮办代办服务全程免费"</p>
        </article>
    }
}
