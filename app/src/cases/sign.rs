//! `/cases/:number/sign`: the applicant of a phone booking reads the form an agent registered
//! for them and signs it on their phone; nothing is handed in before.

use super::{delivery_label, load_case, SignCase};
use crate::files::signature::SignaturePad;
use crate::ui::{action_error, FieldMessage, FormError, Interactive};
use leptos::prelude::*;

#[component]
pub fn SignPage() -> impl IntoView {
    let case = crate::ui::route_resource("number", load_case);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                let c = match case.await {
                    Ok(c) => c,
                    Err(e) => return view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                };
                let a = c.application.clone();
                let back = format!("/cases/{}", c.number);
                view! {
                    <article class="card sign-page">
                        <p class="breadcrumb"><a href=back>"返回申请"</a></p>
                        <h1>"确认申请表并签名"</h1>
                        <dl class="disclosure">
                            <dt>"申请编号"</dt><dd>{c.number.clone()}</dd>
                            <dt>"办理事项"</dt><dd>{c.item_name.clone()}</dd>
                            <dt>"办理单位"</dt><dd>{format!("{} · {}", c.department, c.center)}</dd>
                            <dt>"申请人"</dt><dd>{a.unit_name.clone()}</dd>
                            <dt>"经办人"</dt><dd>{format!("{} {}", a.handler_name, a.handler_phone)}</dd>
                            <dt>"代办内容"</dt><dd>{a.services.iter().map(|s| s.label()).collect::<Vec<_>>().join("、")}</dd>
                            <dt>"办理方式"</dt><dd>{c.mode.label()}</dd>
                            <dt>"结果送达"</dt><dd>{delivery_label(&a.delivery)}</dd>
                        </dl>
                        <super::LegalTerms/>
                        {if c.can_sign {
                            view! { <SignForm number=c.number.clone()/> }.into_any()
                        } else {
                            view! { <p class="hint">"本申请表已签名，无需再签。"</p> }.into_any()
                        }}
                    </article>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The applicant's handwritten signature confirming a form an agent registered for them.
#[island]
fn SignForm(number: String) -> impl IntoView {
    let sign = ServerAction::<SignCase>::new();
    let error = action_error(sign);
    let signature = RwSignal::new(None::<String>);
    let back = format!("/cases/{number}");
    let done = move || matches!(sign.value().get(), Some(Ok(())));
    move || {
        if done() {
            leptos::either::Either::Left(view! {
                <p class="form-ok" role="status">"已签名确认，帮办代办员将继续办理。"</p>
                <p class="actions"><a class="button primary big" href=back.clone()>"查看办理进度"</a></p>
            })
        } else {
            let number = number.clone();
            leptos::either::Either::Right(view! {
                <Interactive>
                <h2>"经办人签名"</h2>
                <p class="hint">"请核对以上内容，用手指在下方签名。签名即视为同意以上申请须知。"</p>
                <SignaturePad value=signature described_by="sig-alt"/>
                <p class="hint" id="sig-alt">"不便在屏幕上签名的，请拨打上方帮办热线，由代办员请您在纸质申请表上签字。"</p>
                <FieldMessage error=error field="signature"/>
                <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                <button type="button" class="button primary big" prop:disabled=move || sign.pending().get()
                    on:click=move |_| {
                        sign.dispatch(SignCase { number: number.clone(), signature: signature.get().unwrap_or_default() });
                    }>"确认并签名"</button>
                </Interactive>
            })
        }
    }
}
