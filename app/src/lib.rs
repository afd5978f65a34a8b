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
    path, Lazy, LazyRoute, SsrMode,
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
                        <Route path=path!("/") ssr=SsrMode::Async view={Lazy::<HomeRoute>::new()}/>
                        <Route path=path!("/catalog") ssr=SsrMode::Async view={Lazy::<CatalogRoute>::new()}/>
                        <Route path=path!("/items/:id") ssr=SsrMode::Async view={Lazy::<ItemRoute>::new()}/>
                        <Route path=path!("/items/:id/apply") ssr=SsrMode::Async view={Lazy::<ApplyRoute>::new()}/>
                        <Route path=path!("/cases/:number") ssr=SsrMode::Async view={Lazy::<CaseRoute>::new()}/>
                        <Route path=path!("/cases/:number/sign") ssr=SsrMode::Async view={Lazy::<SignRoute>::new()}/>
                        <Route path=path!("/cases/:number/notice") ssr=SsrMode::Async view={Lazy::<NoticeRoute>::new()}/>
                        <Route path=path!("/cases/:number/handover") ssr=SsrMode::Async view={Lazy::<HandoverRoute>::new()}/>
                        <Route path=path!("/cases/:number/print") ssr=SsrMode::Async view={Lazy::<PrintApplicationRoute>::new()}/>
                        <Route path=path!("/admin/outbox") ssr=SsrMode::Async view={Lazy::<OutboxRoute>::new()}/>
                        <Route path=path!("/lists/:id/print") ssr=SsrMode::Async view={Lazy::<PrintListRoute>::new()}/>
                        <Route path=path!("/centers/:id") ssr=SsrMode::Async view={Lazy::<CenterRoute>::new()}/>
                        <Route path=path!("/login") ssr=SsrMode::Async view={Lazy::<LoginRoute>::new()}/>
                        <Route path=path!("/register") ssr=SsrMode::Async view={Lazy::<RegisterRoute>::new()}/>
                        <Route path=path!("/me") ssr=SsrMode::Async view={Lazy::<MyCasesRoute>::new()}/>
                        <Route path=path!("/workbench") ssr=SsrMode::Async view={Lazy::<WorkbenchRoute>::new()}/>
                        <Route path=path!("/workbench/assign") ssr=SsrMode::Async view={Lazy::<AssignRoute>::new()}/>
                        <Route path=path!("/supervision") ssr=SsrMode::Async view={Lazy::<SupervisionRoute>::new()}/>
                        <Route path=path!("/catalog/manage") ssr=SsrMode::Async view={Lazy::<ManageListsRoute>::new()}/>
                        <Route path=path!("/catalog/manage/items/:id") ssr=SsrMode::Async view={Lazy::<EditItemRoute>::new()}/>
                        <Route path=path!("/teams/manage") ssr=SsrMode::Async view={Lazy::<ManageTeamRoute>::new()}/>
                        <Route path=path!("/supervision/teams") ssr=SsrMode::Async view={Lazy::<PendingTeamsRoute>::new()}/>
                        <Route path=path!("/supervision/lists") ssr=SsrMode::Async view={Lazy::<PendingListsRoute>::new()}/>
                        <Route path=path!("/admin/organization") ssr=SsrMode::Async view={Lazy::<OrganizationRoute>::new()}/>
                        <Route path=path!("/admin") ssr=SsrMode::Async view={Lazy::<AdminRoute>::new()}/>
                    </Routes>
                </main>
                <footer class="site-footer">
                    <p>"内乡县行政审批服务中心 · 帮办代办服务全程免费"</p>
                </footer>
            </div>
        </Router>
    }
}

// Pages come in lazy groups: public pages, applying, tracking one's cases, staff. With
// `cargo leptos build --split` each group's code is a wasm chunk of its own, fetched only when
// one of its pages is shown: an applicant's phone never downloads the workbench, the editors or
// the admin screens, and the home page not the application form. A few groups, not one per
// page: wasm-split puts code shared by several split points into a chunk per combination, and
// per-page splitting turned the apply page into 227 small downloads. On the server a lazy route
// renders like any other.
#[derive(Clone, Copy)]
enum PublicPage {
    Home,
    Catalog,
    Item,
    Center,
    PrintList,
    Login,
    Register,
}

#[derive(Clone, Copy)]
enum ApplyingPage {
    Apply,
    Sign,
}

#[derive(Clone, Copy)]
enum TrackingPage {
    MyCases,
    Case,
    Notice,
    Handover,
    PrintApplication,
}

#[derive(Clone, Copy)]
enum StaffPage {
    Outbox,
    Workbench,
    Assign,
    Supervision,
    ManageLists,
    EditItem,
    ManageTeam,
    PendingTeams,
    PendingLists,
    Organization,
    Admin,
}

#[leptos::lazy]
fn public_page(page: PublicPage) -> AnyView {
    match page {
        PublicPage::Home => view! { <home::HomePage/> }.into_any(),
        PublicPage::Catalog => view! { <catalog::CatalogPage/> }.into_any(),
        PublicPage::Item => view! { <catalog::ItemPage/> }.into_any(),
        PublicPage::Center => view! { <catalog::CenterPage/> }.into_any(),
        PublicPage::PrintList => view! { <catalog::PrintListPage/> }.into_any(),
        PublicPage::Login => view! { <accounts::LoginPage/> }.into_any(),
        PublicPage::Register => view! { <accounts::RegisterPage/> }.into_any(),
    }
}

#[leptos::lazy]
fn applying_page(page: ApplyingPage) -> AnyView {
    match page {
        ApplyingPage::Apply => view! { <accounts::RequireRole roles=cases::apply::APPLYING><cases::ApplyPage/></accounts::RequireRole> }.into_any(),
        ApplyingPage::Sign => view! { <accounts::RequireRole roles=&[Role::Applicant]><cases::sign::SignPage/></accounts::RequireRole> }.into_any(),
    }
}

#[leptos::lazy]
fn tracking_page(page: TrackingPage) -> AnyView {
    match page {
        TrackingPage::MyCases => view! { <accounts::RequireRole roles=&[Role::Applicant]><cases::MyCasesPage/></accounts::RequireRole> }.into_any(),
        TrackingPage::Case => view! { <accounts::RequireRole roles=cases::READERS><cases::CasePage/></accounts::RequireRole> }.into_any(),
        TrackingPage::Notice => view! { <accounts::RequireRole roles=cases::READERS><cases::notice::NoticePage/></accounts::RequireRole> }.into_any(),
        TrackingPage::Handover => view! { <accounts::RequireRole roles=cases::READERS><cases::handover::HandoverPage/></accounts::RequireRole> }.into_any(),
        TrackingPage::PrintApplication => view! { <accounts::RequireRole roles=cases::READERS><cases::print::PrintApplicationPage/></accounts::RequireRole> }.into_any(),
    }
}

#[leptos::lazy]
fn staff_page(page: StaffPage) -> AnyView {
    match page {
        StaffPage::Outbox => view! { <accounts::RequireRole roles=&[Role::Admin]><notifications::OutboxPage/></accounts::RequireRole> }.into_any(),
        StaffPage::Workbench => view! { <accounts::RequireRole roles=&[Role::Agent, Role::Manager]><workbench::WorkbenchPage/></accounts::RequireRole> }.into_any(),
        StaffPage::Assign => view! { <accounts::RequireRole roles=&[Role::Manager]><workbench::AssignPage/></accounts::RequireRole> }.into_any(),
        StaffPage::Supervision => view! { <accounts::RequireRole roles=&[Role::Supervisor]><supervision::SupervisionPage/></accounts::RequireRole> }.into_any(),
        StaffPage::ManageLists => view! { <accounts::RequireRole roles=&[Role::Manager]><catalog::filing::ManageListsPage/></accounts::RequireRole> }.into_any(),
        StaffPage::EditItem => view! { <accounts::RequireRole roles=&[Role::Manager]><catalog::editor::EditItemPage/></accounts::RequireRole> }.into_any(),
        StaffPage::ManageTeam => view! { <accounts::RequireRole roles=&[Role::Manager]><teams::ManageTeamPage/></accounts::RequireRole> }.into_any(),
        StaffPage::PendingTeams => view! { <accounts::RequireRole roles=&[Role::Supervisor]><teams::PendingTeamsPage/></accounts::RequireRole> }.into_any(),
        StaffPage::PendingLists => view! { <accounts::RequireRole roles=&[Role::Supervisor]><catalog::filing::PendingListsPage/></accounts::RequireRole> }.into_any(),
        StaffPage::Organization => view! { <accounts::RequireRole roles=&[Role::Admin]><organization::OrganizationPage/></accounts::RequireRole> }.into_any(),
        StaffPage::Admin => view! { <accounts::RequireRole roles=&[Role::Admin]><accounts::admin::AdminPage/></accounts::RequireRole> }.into_any(),
    }
}

// A case page the server drew for staff hydrates with the staff part's code as well.
#[cfg(feature = "hydrate")]
async fn __preload_case_page() {
    __preload_tracking_page().await;
    cases::preload_staff_case().await;
}

macro_rules! lazy_routes {
    ($($route:ident => $group:ident($page:expr), $preload:ident;)*) => {$(
        struct $route;
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            async fn view(_this: Self) -> AnyView {
                $group($page).await
            }
            // The router awaits this before hydrating the server's page, which must then be drawn
            // at once: the group's code has to be here before hydration starts.
            async fn preload() {
                #[cfg(feature = "hydrate")]
                $preload().await;
            }
        }
    )*};
}

lazy_routes! {
    HomeRoute => public_page(PublicPage::Home), __preload_public_page;
    CatalogRoute => public_page(PublicPage::Catalog), __preload_public_page;
    ItemRoute => public_page(PublicPage::Item), __preload_public_page;
    ApplyRoute => applying_page(ApplyingPage::Apply), __preload_applying_page;
    CaseRoute => tracking_page(TrackingPage::Case), __preload_case_page;
    SignRoute => applying_page(ApplyingPage::Sign), __preload_applying_page;
    NoticeRoute => tracking_page(TrackingPage::Notice), __preload_tracking_page;
    HandoverRoute => tracking_page(TrackingPage::Handover), __preload_tracking_page;
    PrintApplicationRoute => tracking_page(TrackingPage::PrintApplication), __preload_tracking_page;
    PrintListRoute => public_page(PublicPage::PrintList), __preload_public_page;
    CenterRoute => public_page(PublicPage::Center), __preload_public_page;
    LoginRoute => public_page(PublicPage::Login), __preload_public_page;
    RegisterRoute => public_page(PublicPage::Register), __preload_public_page;
    MyCasesRoute => tracking_page(TrackingPage::MyCases), __preload_tracking_page;
    OutboxRoute => staff_page(StaffPage::Outbox), __preload_staff_page;
    WorkbenchRoute => staff_page(StaffPage::Workbench), __preload_staff_page;
    AssignRoute => staff_page(StaffPage::Assign), __preload_staff_page;
    SupervisionRoute => staff_page(StaffPage::Supervision), __preload_staff_page;
    ManageListsRoute => staff_page(StaffPage::ManageLists), __preload_staff_page;
    EditItemRoute => staff_page(StaffPage::EditItem), __preload_staff_page;
    ManageTeamRoute => staff_page(StaffPage::ManageTeam), __preload_staff_page;
    PendingTeamsRoute => staff_page(StaffPage::PendingTeams), __preload_staff_page;
    PendingListsRoute => staff_page(StaffPage::PendingLists), __preload_staff_page;
    OrganizationRoute => staff_page(StaffPage::Organization), __preload_staff_page;
    AdminRoute => staff_page(StaffPage::Admin), __preload_staff_page;
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
