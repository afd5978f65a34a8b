//! The Bangban web app: pages, components and server functions, organised by feature.

#![recursion_limit = "256"]

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod case_log;
pub mod cases;
pub mod catalog;
pub mod error;
pub mod files;
pub mod filing;
#[cfg(feature = "ssr")]
pub mod held;
pub mod home;
#[cfg(feature = "ssr")]
pub mod limits;
pub mod live;
pub mod notifications;
pub mod organization;
pub mod oversight;
pub mod quality;
pub mod reception;
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
    components::{Route, Router, Routes},
    path, SsrMode,
};
use shared::Role;

/// The page's HTML; the browser then hydrates only its islands (`#[island]` components). The
/// rest of every page is drawn by the server alone and never shipped as wasm, so what a phone
/// downloads is the framework plus the interactive parts of the pages it opens.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Only data loaded inside islands goes to the browser with the page, numbered as the
    // islands will ask for it there (Leptos's own islands script tag does the same).
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    accounts::provide_auth();
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#b8322a"/>
                // In the page (public/favicon.ico's image): a request of its own costs a phone more
                // in headers than the icon's 131 bytes.
                <link rel="icon" href=FAVICON sizes="32x32"/>
                <AutoReload options=options.clone()/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                <IslandScripts options/>
            </body>
        </html>
    }
}

/// The site's icon, public/favicon.ico's PNG as a data URL.
const FAVICON: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAASklEQVR42mNgGAVYwA4jrf+0wKMOGBBLiXbMqAMGpQOoBUYdMHQdgA8TYwlNc8GoA0YdQBcHjJYDow4YbQ+MLAeM9gsGlQNGFAAAA1tQ1m0YHPEAAAAASUVORK5CYII=";

/// Makes the server's page interactive. The display switches are a few lines of script. Only a
/// page with islands (`#[island]` components) loads the wasm, fetched at once beside its JS, and
/// hydrates them in document order, as Leptos's own islands script does but without waiting for
/// the browser to idle. The body is then marked `data-hydrated`, so people and tests can tell the
/// page is interactive.
///
/// There are two bundles. Applicants and visitors get the one with only the islands of their
/// pages (`pkg/`); staff accounts get the one with every island, the steps panel and editors too
/// (`pkg/staff/`, feature `staff`). So no staff screen, now or to come, adds a byte to what a
/// phone in a village downloads.
#[component]
fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    let auth = accounts::use_auth();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let options = options.clone();
                Suspend::new(async move {
                    let staff = auth.staff().await;
                    let dir = if staff {
                        format!("{}/staff", options.site_pkg_dir)
                    } else {
                        options.site_pkg_dir.to_string()
                    };
                    let pkg = format!("/{dir}/{}", options.output_name);
                    let path = request_path();
                    // The script waits for the stylesheet; a preload starts the download at
                    // once (half a second sooner on Slow 3G) where the page has islands.
                    let preload = (!without_islands(&path)).then(|| view! {
                        <link rel="modulepreload" href=format!("{pkg}.js")/>
                        <link rel="preload" href=format!("{pkg}.wasm") r#as="fetch" r#type="application/wasm" crossorigin=""/>
                    });
                    view! {
                        {preload}
                        <script type="module" nonce=leptos::nonce::use_nonce()>
                            {page_script(live_page(&path), staff, pkg)}
                        </script>
                    }
                })
            }}
        </Suspense>
    }
}

/// The page's script: live updates only where the page shows something that changes, keyboard
/// shortcuts only where staff work (`workbench::SHORTCUTS_JS`). Compacted once per kind of page
/// and kept: it is the same on every page of that kind, and pages are served by the thousand.
fn page_script(live: bool, staff: bool, pkg: String) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    type Scripts = Mutex<HashMap<(bool, bool, String), &'static str>>;
    static SCRIPTS: LazyLock<Scripts> = LazyLock::new(Default::default);
    let mut scripts = SCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    scripts
        .entry((live, staff, pkg))
        .or_insert_with_key(|(live_page, staff, pkg)| {
            let live = if *live_page {
                format!("({})();", live::LIVE_JS)
            } else {
                String::new()
            };
            let keys = if *staff {
                format!("({})();", workbench::SHORTCUTS_JS)
            } else {
                String::new()
            };
            // At most four kinds per bundle directory, which are two: leaked, never freed.
            ui::compact_js(&format!("{live}{keys}({ISLANDS_JS})({pkg:?});")).leak()
        })
}

/// Pages known to have no island: no wasm is preloaded for them. A page missing from this list
/// only preloads in vain; an applicant's page that does is caught by the budget test.
fn without_islands(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    matches!(
        parts.as_slice(),
        [] | ["catalog"]
            | ["items", _]
            | ["me"]
            | ["workbench"]
            | ["supervision"]
            | ["supervision", "cases"]
            | ["centers", _]
            | ["lists", _, "print"]
            | ["cases", _, "notice" | "handover" | "print"]
            | ["admin", "outbox"]
            | ["inbox"]
    )
}

/// Pages with parts that update by themselves (`data-live`): only they open the live stream.
/// The others show the unread count as it was when drawn, and cost no script for it.
fn live_page(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    matches!(
        parts.as_slice(),
        ["workbench"] | ["cases", _] | ["me"] | ["inbox"]
    )
}

fn request_path() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|p| p.uri.path().to_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    String::new()
}

// The switches' classes and cookies are those of `Preference`.
const ISLANDS_JS: &str = r#"async (pkg) => {
  // Display switches (data-pref): the class on the page at once, the cookie for the pages after.
  for (const b of document.querySelectorAll('[data-pref]')) b.addEventListener('click', () => {
    const on = b.getAttribute('aria-pressed') !== 'true';
    document.querySelector('.page')?.classList.toggle(b.dataset.pref, on);
    b.setAttribute('aria-pressed', String(on));
    document.cookie = `${b.dataset.pref}=${on ? 1 : 0}; path=/; max-age=31536000; SameSite=Lax`;
  });
  // Print buttons (data-print): the page's policy allows no inline handlers.
  for (const b of document.querySelectorAll('[data-print]')) b.addEventListener('click', () => window.print());
  if (document.querySelector('leptos-island')) {
    const wasm = fetch(`${pkg}.wasm`);
    const mod = await import(`${pkg}.js`);
    await mod.default({ module_or_path: wasm });
    mod.hydrate();
    const childrenHooks = [];
    const walk = async (node) => {
      for (const el of node.children) {
        const tag = el.tagName;
        if (tag === 'LEPTOS-ISLAND') {
          const hook = childrenHooks[childrenHooks.length - 1];
          if (hook) hook();
          const hydrateIsland = mod[el.dataset.component];
          if (hydrateIsland) await hydrateIsland(el);
          await walk(el);
        } else if (tag === 'LEPTOS-CHILDREN') {
          childrenHooks.push(el.$$on_hydrate);
          await walk(el);
          childrenHooks.pop();
        } else {
          await walk(el);
        }
      }
    };
    await walk(document.body);
  }
  document.body.dataset.hydrated = 'true';
  // Form errors (.field-error), once the islands are drawn: each wrong field is marked and
  // described by its message; after a try to send (or on a refused post's page) a summary tops
  // the form, each line a link to its field, and the focus goes to the first wrong field.
  // Typing disarms the focus move, so a message shown on leaving a field never steals it.
  const CTL = 'input:not([type=hidden]),select,textarea,button';
  // The control a message belongs to: the nearest one before it.
  const control = (e) => {
    for (let n = e; n && n.tagName != 'MAIN'; n = n.parentElement)
      for (let s = n; (s = s.previousElementSibling);) {
        const c = s.matches(CTL) ? s : s.querySelector(CTL);
        if (c) return c;
      }
  };
  let armed = 1, shown = '', ids = 0;
  const check = () => {
    const errors = [...document.querySelectorAll('.field-error')].filter((e) => e.textContent && e.offsetParent);
    const key = errors.map((e) => e.textContent).join('\n'), old = document.querySelector('.error-summary');
    if (key == shown && !(armed && errors[0])) return;
    shown = key;
    document.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
    old?.remove();
    const box = document.createElement('div'), list = document.createElement('ul');
    box.className = 'error-summary';
    box.append(`请先改正以下 ${errors.length} 处：`, list);
    for (const e of errors) {
      const c = control(e), a = list.appendChild(document.createElement('li')).appendChild(document.createElement('a'));
      e.id ||= 'field-error-' + ++ids;
      a.href = '#';
      a.textContent = e.textContent;
      if (c) {
        c.setAttribute('aria-invalid', true);
        c.setAttribute('aria-describedby', e.id);
        a.onclick = (v) => { v.preventDefault(); c.focus(); };
      }
    }
    // A summary appears after a try to send and follows the fixes until none is left.
    if (!errors[0] || !(old || armed)) return;
    (errors[0].closest('form,section,.card') || errors[0].parentElement).prepend(box);
    if (armed) armed = 0, control(errors[0])?.focus();
  };
  new MutationObserver(() => requestAnimationFrame(check)).observe(document.body, { subtree: true, childList: true, characterData: true });
  addEventListener('click', (e) => { if (e.target.closest('button:not(.signature-actions *,[data-pref])')) armed = 1, requestAnimationFrame(check); });
  addEventListener('submit', () => armed = 1);
  addEventListener('input', () => armed = 0);
  check();
  armed = 0;
}"#;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    accounts::provide_auth();
    let (elder, contrast) = (ELDER.chosen(), CONTRAST.chosen());

    view! {
        <Stylesheet id="leptos" href="/pkg/bangban.css"/>
        <Title text="内乡县政务服务帮办代办"/>
        <Router>
            <div class="page" class:elder=elder class:high-contrast=contrast>
                <header class="site-header">
                    <a href="/" class="brand">"内乡帮办"</a>
                    <nav class="site-nav">
                        <PreferenceToggle p=ELDER on=elder/>
                        <PreferenceToggle p=CONTRAST on=contrast/>
                        <accounts::UserMenu/>
                    </nav>
                </header>
                <HelpLine/>
                <StaffStyle/>
                // Every page renders completely on the server (SsrMode::Async) so it is readable
                // before the wasm arrives, and so a 403 or 404 status reaches the browser.
                <main>
                    <Routes fallback=NotFound>
                        <Route path=path!("/") ssr=SsrMode::Async view=home::HomePage/>
                        <Route path=path!("/catalog") ssr=SsrMode::Async view=catalog::CatalogPage/>
                        <Route path=path!("/items/:id") ssr=SsrMode::Async view=catalog::ItemPage/>
                        <Route path=path!("/items/:id/apply") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=cases::apply::APPLYING><cases::ApplyPage/></accounts::RequireRole> }/>
                        <Route path=path!("/cases/:number") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=cases::READERS><cases::CasePage/></accounts::RequireRole> }/>
                        <Route path=path!("/cases/:number/sign") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><cases::sign::SignPage/></accounts::RequireRole> }/>
                        <Route path=path!("/cases/:number/notice") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=cases::READERS><cases::notice::NoticePage/></accounts::RequireRole> }/>
                        <Route path=path!("/cases/:number/handover") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=cases::READERS><cases::handover::HandoverPage/></accounts::RequireRole> }/>
                        <Route path=path!("/cases/:number/print") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=cases::READERS><cases::print::PrintApplicationPage/></accounts::RequireRole> }/>
                        <Route path=path!("/inbox") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant, Role::Agent, Role::Manager, Role::Supervisor, Role::Admin]><notifications::InboxPage/></accounts::RequireRole> }/>
                        <Route path=path!("/admin/outbox") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Admin]><notifications::OutboxPage/></accounts::RequireRole> }/>
                        <Route path=path!("/lists/:id/print") ssr=SsrMode::Async view=catalog::PrintListPage/>
                        <Route path=path!("/centers/:id") ssr=SsrMode::Async view=catalog::CenterPage/>
                        <Route path=path!("/login") ssr=SsrMode::Async view=accounts::LoginPage/>
                        <Route path=path!("/register") ssr=SsrMode::Async view=accounts::RegisterPage/>
                        <Route path=path!("/reset") ssr=SsrMode::Async view=accounts::ResetPage/>
                        <Route path=path!("/account/password") ssr=SsrMode::Async view=accounts::ChangePasswordPage/>
                        <Route path=path!("/me") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><cases::MyCasesPage/></accounts::RequireRole> }/>
                        <Route path=path!("/workbench") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Agent, Role::Manager]><workbench::WorkbenchPage/></accounts::RequireRole> }/>
                        <Route path=path!("/workbench/assign") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager]><workbench::AssignPage/></accounts::RequireRole> }/>
                        <Route path=path!("/supervision") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Supervisor, Role::Manager]><supervision::SupervisionPage/></accounts::RequireRole> }/>
                        <Route path=path!("/supervision/cases") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Supervisor, Role::Manager]><supervision::CaseSearchPage/></accounts::RequireRole> }/>
                        <Route path=path!("/catalog/manage") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager]><catalog::filing::ManageListsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/catalog/manage/items/:id") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager]><catalog::editor::EditItemPage/></accounts::RequireRole> }/>
                        <Route path=path!("/teams/manage") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager]><teams::ManageTeamPage/></accounts::RequireRole> }/>
                        <Route path=path!("/supervision/teams") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Supervisor]><teams::PendingTeamsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/supervision/lists") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Supervisor]><catalog::filing::PendingListsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/admin/organization") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Admin]><organization::OrganizationPage/></accounts::RequireRole> }/>
                        <Route path=path!("/quality") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager, Role::Supervisor]><quality::FollowUpsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/quality/complaints") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Supervisor]><quality::ComplaintsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/oversight") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager, Role::Supervisor]><oversight::CoordinationPage/></accounts::RequireRole> }/>
                        <Route path=path!("/inspections") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager, Role::Supervisor]><oversight::InspectionsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/inspections/:id") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager, Role::Supervisor]><oversight::InspectionPage/></accounts::RequireRole> }/>
                        <Route path=path!("/bulletins") ssr=SsrMode::Async view=oversight::BulletinsPage/>
                        <Route path=path!("/complaint") ssr=SsrMode::Async view=quality::ComplaintPage/>
                        <Route path=path!("/complaint/done") ssr=SsrMode::Async view=quality::ComplaintDonePage/>
                        <Route path=path!("/ask") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><reception::AskPage/></accounts::RequireRole> }/>
                        <Route path=path!("/questions") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><reception::MyQuestionsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/book") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><reception::BookPage/></accounts::RequireRole> }/>
                        <Route path=path!("/bookings") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><reception::MyBookingsPage/></accounts::RequireRole> }/>
                        <Route path=path!("/bookings/:id") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><reception::MyBookingPage/></accounts::RequireRole> }/>
                        <Route path=path!("/reception") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Agent, Role::Manager]><reception::ReceptionPage/></accounts::RequireRole> }/>
                        <Route path=path!("/packages") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager, Role::Supervisor]><catalog::packages::PackagesPage/></accounts::RequireRole> }/>
                        <Route path=path!("/packages/:id") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Manager, Role::Supervisor]><catalog::packages::PackagePage/></accounts::RequireRole> }/>
                        <Route path=path!("/one/:id") ssr=SsrMode::Async view=catalog::packages::PublicPackagePage/>
                        <Route path=path!("/one/:id/apply") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Applicant]><cases::package::PackageApplyPage/></accounts::RequireRole> }/>
                        <Route path=path!("/admin/calendar") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Admin]><calendar::edit::CalendarPage/></accounts::RequireRole> }/>
                        <Route path=path!("/admin") ssr=SsrMode::Async view=|| view! { <accounts::RequireRole roles=&[Role::Admin]><accounts::admin::AdminPage/></accounts::RequireRole> }/>
                    </Routes>
                </main>
                <footer class="site-footer">
                    <ul class="footer-items">
                        <li>"内乡县行政审批服务中心"</li>
                        <li>"帮办代办服务全程免费"</li>
                        <li><a href="/complaint">"投诉监督"</a></li>
                        <li><a href="/bulletins">"通报"</a></li>
                    </ul>
                </footer>
            </div>
        </Router>
    }
}

/// A way of drawing every page that a visitor may switch on: the class it puts on `.page`, which
/// is also its cookie's name (read by the server, so the first paint is already drawn that way),
/// and its label. Switched at once in the page by `ISLANDS_JS`, no wasm needed.
struct Preference {
    class: &'static str,
    label: &'static str,
}

/// For older people (适老化): larger text and touch targets, stronger contrast, the hotline
/// always in view.
const ELDER: Preference = Preference {
    class: "elder",
    label: "长辈模式",
};

/// Black on white with underlined links and a strong focus ring, for poor sight or sunlight.
const CONTRAST: Preference = Preference {
    class: "high-contrast",
    label: "高对比度",
};

impl Preference {
    /// Whether this visitor switched it on (its cookie is `1`).
    fn chosen(&self) -> bool {
        #[cfg(feature = "ssr")]
        {
            use_context::<http::request::Parts>()
                .and_then(|parts| {
                    parts
                        .headers
                        .get_all(http::header::COOKIE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .flat_map(|v| v.split(';'))
                        .find_map(|c| c.trim().strip_prefix(self.class)?.strip_prefix('='))
                        .map(|v| v == "1")
                })
                .unwrap_or(false)
        }
        #[cfg(not(feature = "ssr"))]
        false
    }
}

/// Whether this visitor reads in the elderly mode: forms then ask one question per screen.
pub fn elder_mode() -> bool {
    ELDER.chosen()
}

/// A switch with a label that stays put; `aria-pressed` says whether it is on.
#[component]
fn PreferenceToggle(p: Preference, on: bool) -> impl IntoView {
    view! {
        <button type="button" class="link-button pref-toggle" data-pref=p.class aria-pressed=on.to_string()>
            {p.label}
        </button>
    }
}

/// The number to call for help, under the header of every page applicants and visitors see
/// (staff have their own lines); large in the elderly mode.
#[component]
fn HelpLine() -> impl IntoView {
    let auth = accounts::use_auth();
    // Staff pages never show it: not even asked of the database for them.
    let contact = Resource::new(
        || (),
        move |_| async move {
            if auth.staff().await {
                Ok(None)
            } else {
                home::county_contact().await.map(Some)
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let (_, phone) = contact.await.ok().flatten().filter(|(_, phone)| !phone.is_empty())?;
                Some(view! {
                    <p class="help-line">
                        "需要帮忙？请拨帮办热线 "
                        <a class="phone" href=format!("tel:{phone}")>{phone.clone()}</a>
                    </p>
                })
            })}
        </Suspense>
    }
}

/// The staff screens' stylesheet, for staff accounts only: applicants' phones never fetch it.
/// Staff also get the printed papers' one: the steps panel previews notices and handovers.
#[component]
fn StaffStyle() -> impl IntoView {
    let auth = accounts::use_auth();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                auth.staff().await.then(|| view! {
                        <Stylesheet id="staff-css" href="/staff.css"/>
                        <ui::PrintStyle/>
                    })
            })}
        </Suspense>
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
            <p class="actions"><a href="/" class="button">"返回首页"</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::without_islands;

    #[test]
    fn only_pages_with_live_parts_open_the_stream() {
        for path in ["/workbench", "/cases/411325-20261130-0001", "/me", "/inbox"] {
            assert!(super::live_page(path), "{path}");
        }
        for path in [
            "/",
            "/items/3/apply",
            "/cases/411325-20261130-0001/print",
            "/login",
        ] {
            assert!(!super::live_page(path), "{path}");
        }
    }

    #[test]
    fn wasm_is_preloaded_only_where_the_page_has_islands() {
        for path in [
            "/",
            "/catalog",
            "/items/3",
            "/me",
            "/workbench",
            "/cases/411325-20261130-0001/notice",
        ] {
            assert!(without_islands(path), "{path}");
        }
        for path in [
            "/items/3/apply",
            "/login",
            "/register",
            "/cases/411325-20261130-0001",
            "/cases/411325-20261130-0001/sign",
            "/workbench/assign",
            "/catalog/manage",
        ] {
            assert!(!without_islands(path), "{path}");
        }
    }
}
