//! The agent's workbench (queues and case work arrive with the agent-side issue).

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn WorkbenchPage() -> impl IntoView {
    let auth = crate::accounts::use_auth();
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
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let manager = matches!(
                        auth.user.await,
                        Ok(Some(ref u)) if u.role == shared::Role::Manager
                    );
                    manager.then(|| view! {
                        <p class="actions">
                            <A href="/catalog/manage" attr:class="button">"事项清单维护"</A>" "
                            <A href="/teams/manage" attr:class="button">"队伍登记备案"</A>
                        </p>
                    })
                })}
            </Transition>
        </section>
    }
}
