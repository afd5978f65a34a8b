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
    view! {
        <article class="print-a4 application-form">
            <p class="no-print actions">
                <button type="button" class="button" onclick="window.print()">"打印"</button>
            </p>
            <h1>"政务服务帮办代办申请表"</h1>
            <p class="form-number">{format!("编号：{}", c.number)}</p>
            <table class="print-table form-table">
                <tbody>
                    <tr><th>{if enterprise { "申请单位名称" } else { "申请人姓名" }}</th><td colspan="3">{a.unit_name.clone()}</td></tr>
                    <tr><th>"地址"</th><td colspan="3">{a.address.clone()}</td></tr>
                    <tr>
                        <th>"法定代表人（负责人）"</th><td>{a.legal_rep.clone()}</td>
                        <th>{if enterprise { "统一社会信用代码" } else { "公民身份号码" }}</th><td>{a.id_number.clone()}</td>
                    </tr>
                    <tr>
                        <th>"经办人（签名）"</th>
                        <td>{a.handler_name.clone()}
                            {c.signature_file.map(|id| view! { <img class="sig" src=format!("/files/{id}") alt="经办人签名"/> })}</td>
                        <th>"联系电话"</th><td>{a.handler_phone.clone()}</td>
                    </tr>
                    <tr><th>"服务事项"</th><td colspan="3">{format!("{}（{}）", c.item_name, c.department)}</td></tr>
                    <tr><th>"前置辅导事项"</th><td colspan="3">{if a.pre_guidance_item.is_empty() { "无".to_string() } else { a.pre_guidance_item.clone() }}</td></tr>
                    <tr><th>"服务内容"</th><td colspan="3" class="services">
                        {ServiceContent::ALL.into_iter().map(|s| view! { <span>{ticked(s)}</span> }).collect_view()}
                        {matches!(a.delivery, shared::case::Delivery::Mail { .. }).then(|| view! {
                            <p>{super::delivery_label(&a.delivery)}</p>
                        })}
                    </td></tr>
                    <tr><th>"办理方式"</th><td>{c.mode.label()}</td><th>"申请日期"</th><td>{date}</td></tr>
                    <tr>
                        <th>"代办人（签字）"</th><td>{c.agent.clone().map(|(n, _)| n).unwrap_or_default()}</td>
                        <th>"代办申请接收时间"</th><td>{c.received_at.clone().unwrap_or_default()}</td>
                    </tr>
                </tbody>
            </table>
            <p class="terms">{shared::application::LEGAL_TERMS}</p>
            <p class="print-footer">"内乡县行政审批服务中心 · 帮办代办服务全程免费"</p>
        </article>
    }
}
