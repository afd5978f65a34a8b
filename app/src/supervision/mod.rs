//! The county center's supervision overview (filled by the supervision issues).

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SupervisionPage() -> impl IntoView {
    view! {
        <section class="card wide">
            <h1>"督查总览"</h1>
            <ul class="nav-list">
                <li><A href="/supervision/lists" attr:class="button">"事项清单备案"</A></li>
                <li><A href="/supervision/teams" attr:class="button">"帮办代办队伍备案"</A></li>
            </ul>
        </section>
    }
}
