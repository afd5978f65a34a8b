//! The Bangban web app: pages, components and server functions, organised by feature.

#![recursion_limit = "256"]

pub mod accounts;
pub mod calendar;
pub mod case_log;
pub mod cases;
pub mod catalog;
pub mod error;
pub mod files;
pub mod filing;
pub mod home;
pub mod notifications;
pub mod organization;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod stored;
pub mod supervision;
pub mod teams;
pub mod ui;
pub mod workbench;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path, SsrMode,
};
use shared::Role;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#b8322a"/>
                <link rel="icon" href="/favicon.ico" sizes="32x32"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    accounts::provide_auth();
    // Larger text for people who find the default hard to read; a pure client-side toggle.
    let (large_text, set_large_text) = signal(false);

    view! {
        <Stylesheet id="leptos" href="/pkg/bangban.css"/>
        <Title text="内乡县政务服务帮办代办"/>
        <Router>
            <div class="page" class:large-text=large_text>
                <header class="site-header">
                    <A href="/" attr:class="brand">"内乡帮办"</A>
                    <nav class="site-nav">
                        <button type="button" class="link-button" id="toggle-large-text"
                            aria-pressed=move || large_text.get().to_string()
                            on:click=move |_| set_large_text.update(|v| *v = !*v)>
                            {move || if large_text.get() { "标准字号" } else { "大字" }}
                        </button>
                        <accounts::UserMenu/>
                    </nav>
                </header>
                // Every page renders completely on the server (SsrMode::Async) so it is readable
                // before the wasm arrives, and so a 403 or 404 status reaches the browser.
                <main>
                    <Routes fallback=NotFound>
                        <Route path=path!("/") ssr=SsrMode::Async view=home::HomePage/>
                        <Route path=path!("/catalog") ssr=SsrMode::Async view=catalog::CatalogPage/>
                        <Route path=path!("/items/:id") ssr=SsrMode::Async view=catalog::ItemPage/>
                        <Route path=path!("/items/:id/apply") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=cases::apply::APPLYING>
                                <cases::ApplyPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/cases/:number") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Applicant, Role::Agent, Role::Manager, Role::Supervisor]>
                                <cases::CasePage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/cases/:number/sign") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Applicant]>
                                <cases::sign::SignPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/cases/:number/notice") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Applicant, Role::Agent, Role::Manager, Role::Supervisor]>
                                <cases::notice::NoticePage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/cases/:number/handover") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Applicant, Role::Agent, Role::Manager, Role::Supervisor]>
                                <cases::handover::HandoverPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/cases/:number/print") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Applicant, Role::Agent, Role::Manager, Role::Supervisor]>
                                <cases::print::PrintApplicationPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/admin/outbox") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Admin]>
                                <notifications::OutboxPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/lists/:id/print") ssr=SsrMode::Async view=catalog::PrintListPage/>
                        <Route path=path!("/centers/:id") ssr=SsrMode::Async view=catalog::CenterPage/>
                        <Route path=path!("/login") ssr=SsrMode::Async view=accounts::LoginPage/>
                        <Route path=path!("/register") ssr=SsrMode::Async view=accounts::RegisterPage/>
                        <Route path=path!("/me") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Applicant]>
                                <cases::MyCasesPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/workbench") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Agent, Role::Manager]>
                                <workbench::WorkbenchPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/workbench/assign") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Manager]>
                                <workbench::AssignPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/supervision") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Supervisor]>
                                <supervision::SupervisionPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/catalog/manage") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Manager]>
                                <catalog::filing::ManageListsPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/catalog/manage/items/:id") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Manager]>
                                <catalog::editor::EditItemPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/teams/manage") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Manager]>
                                <teams::ManageTeamPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/supervision/teams") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Supervisor]>
                                <teams::PendingTeamsPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/supervision/lists") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Supervisor]>
                                <catalog::filing::PendingListsPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/admin/organization") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Admin]>
                                <organization::OrganizationPage/>
                            </accounts::RequireRole>
                        }/>
                        <Route path=path!("/admin") ssr=SsrMode::Async view=|| view! {
                            <accounts::RequireRole roles=&[Role::Admin]>
                                <accounts::admin::AdminPage/>
                            </accounts::RequireRole>
                        }/>
                    </Routes>
                </main>
                <footer class="site-footer">
                    <p>"内乡县行政审批服务中心 · 帮办代办服务全程免费"</p>
                </footer>
            </div>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card status-page">
            <h1>"404 页面不存在"</h1>
            <p>"您要找的页面不存在或已移动。"</p>
            <p class="actions"><A href="/" attr:class="button">"返回首页"</A></p>
        </section>
    }
}
