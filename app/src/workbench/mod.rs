//! The agent's workbench (queues and case work arrive with the agent-side issue).

use leptos::prelude::*;

#[component]
pub fn WorkbenchPage() -> impl IntoView {
    view! {
        <section class="card wide">
            <h1>"帮办代办工作台"</h1>
            <table class="data-table">
                <thead><tr><th>"队列"</th><th>"件数"</th></tr></thead>
                <tbody>
                    <tr><td>"新申请"</td><td>"0"</td></tr>
                    <tr><td>"今日到期"</td><td>"0"</td></tr>
                    <tr><td>"已超期"</td><td>"0"</td></tr>
                </tbody>
            </table>
        </section>
    }
}
