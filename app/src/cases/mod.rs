//! Cases from the applicant's side: "我的申请" (filled by the apply-and-track issue).

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn MyCasesPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"我的申请"</h1>
            <p class="empty">"您还没有帮办代办申请。"</p>
            <p class="actions"><A href="/" attr:class="button primary big">"找事项，申请帮办代办"</A></p>
        </section>
    }
}

/// Applying online arrives with the apply-and-track issue; until then the page says how to
/// apply by phone or in person, so the button on an item page never leads nowhere.
#[component]
pub fn ApplyPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"申请帮办代办"</h1>
            <p>"在线填写申请表的功能即将开放。现在您可以："</p>
            <ul>
                <li>"拨打县行政审批服务中心帮办代办预约电话 "<a href="tel:0377-65321234">"0377-65321234"</a></li>
                <li>"到就近的乡镇便民服务中心或村（社区）便民服务站，由代办员帮您登记"</li>
            </ul>
            <p class="actions"><A href="/catalog" attr:class="button">"返回事项列表"</A></p>
        </section>
    }
}
