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
