//! The county center's supervision overview (filled by the supervision issues).

use leptos::prelude::*;

#[component]
pub fn SupervisionPage() -> impl IntoView {
    view! {
        <section class="card wide">
            <h1>"督查总览"</h1>
            <p class="empty">"暂无待备案的队伍或事项清单，暂无超期件。"</p>
        </section>
    }
}
