//! The authorization matrix: every server function and every route, called as a visitor and as
//! each role, against the table below. A server function or page added without a row here
//! fails the test, so nobody adds one without deciding who may call it.
//!
//! Calls use arguments that parse but name nothing (id 999999), so a caller who gets past the
//! gate meets a 404 or a field error and nothing changes. Each cell is what the caller meets:
//! `o` past the gate, `u` 401 (log in first), `f` 403 (not for this role). Anything else is a
//! 4xx or 2xx; a 500 fails the test everywhere.

use crate::common;

use common::{new_client, spawn};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeSet;

/// Callers, in the order of each row's cells.
const CALLERS: [Option<&str>; 6] = [
    None,
    Some("13800000001"),
    Some("agent01"),
    Some("manager01"),
    Some("supervisor01"),
    Some("admin01"),
];

const NONE: &str = "999999";

enum Args {
    Form(&'static [(&'static str, &'static str)]),
    Json(fn() -> Value),
    Multipart,
}

use Args::{Form, Json, Multipart};

/// (endpoint, arguments, expected per caller: visitor, applicant, agent, manager, supervisor,
/// admin).
const SERVER_FUNCTIONS: &[(&str, Args, &str)] = &[
    // Anyone: the public catalog, the session, getting in.
    ("current_user", Form(&[]), "oooooo"),
    (
        "login",
        Form(&[("login_name", "nobody"), ("password", "wrong-pass1")]),
        "oooooo",
    ),
    (
        "register",
        Form(&[
            ("phone", "1"),
            ("code", ""),
            ("display_name", ""),
            ("password", ""),
            ("password_confirm", ""),
        ]),
        "oooooo",
    ),
    (
        "reset_password",
        Form(&[
            ("phone", "1"),
            ("code", ""),
            ("password", ""),
            ("password_confirm", ""),
        ]),
        "oooooo",
    ),
    (
        "send_code",
        Form(&[("phone", "1"), ("purpose", "register")]),
        "oooooo",
    ),
    ("logout", Form(&[]), "oooooo"),
    ("home/contact", Form(&[]), "oooooo"),
    (
        "catalog/search",
        Form(&[
            ("q", ""),
            ("category", ""),
            ("center", ""),
            ("item_type", ""),
        ]),
        "oooooo",
    ),
    ("catalog/item", Form(&[("id", NONE)]), "oooooo"),
    ("catalog/center", Form(&[("id", NONE)]), "oooooo"),
    (
        "catalog/printable_list",
        Form(&[("department_id", NONE)]),
        "oooooo",
    ),
    ("catalog/centers", Form(&[]), "oooooo"),
    // Anyone logged in (the case itself decides: see cases.rs and work.rs).
    (
        "account/change_password",
        Form(&[
            ("current", "wrong-pass1"),
            ("password", ""),
            ("password_confirm", ""),
        ]),
        "uooooo",
    ),
    ("cases/view", Form(&[("number", "BB-NONE")]), "uooooo"),
    ("cases/notice", Form(&[("number", "BB-NONE")]), "uooooo"),
    ("cases/handover", Form(&[("number", "BB-NONE")]), "uooooo"),
    // Applicants, and staff registering phone and walk-in applications.
    ("cases/apply_context", Form(&[("item_id", NONE)]), "uoooff"),
    (
        "cases/save_draft",
        Json(|| json!({"item_id": 999999, "form": form()})),
        "uoooff",
    ),
    (
        "cases/submit",
        Json(|| json!({"item_id": 999999, "token": "x", "form": form(), "signature": ""})),
        "uoooff",
    ),
    ("cases/mine", Form(&[]), "uoffff"),
    (
        "cases/sign",
        Form(&[("number", "BB-NONE"), ("signature", "")]),
        "uoffff",
    ),
    (
        "cases/withdraw",
        Form(&[("number", "BB-NONE"), ("reason", "")]),
        "uoffff",
    ),
    (
        "cases/supplement_done",
        Form(&[("number", "BB-NONE")]),
        "uoffff",
    ),
    // Agents and managers at work.
    ("work/queue", Form(&[("queue", "new")]), "ufooff"),
    ("work/counts", Form(&[]), "ufooff"),
    ("work/context", Form(&[("number", "BB-NONE")]), "ufooff"),
    (
        "work/act",
        Json(|| json!({"number": "BB-NONE", "version": 1, "action": {"action": "receive"}})),
        "ufooff",
    ),
    ("work/assignments", Form(&[]), "uffoff"),
    // Managers: their unit's list and team. Where a row reads `ufffff`, the object decides: a
    // unit or team not the manager's own (as 999999 is not) is refused with 403.
    ("catalog/my_lists", Form(&[]), "uffoff"),
    (
        "catalog/start_draft",
        Form(&[("department_id", NONE)]),
        "ufffff",
    ),
    ("catalog/item_for_edit", Form(&[("id", NONE)]), "uffoff"),
    (
        "catalog/save_disclosure",
        Form(&[
            ("item_id", NONE),
            ("category", ""),
            ("pre_guidance", ""),
            ("keywords", ""),
            ("scope", ""),
            ("method", ""),
            ("booking_phone", ""),
            ("mailing_address", ""),
            ("mailing_recipient", ""),
        ]),
        "uffoff",
    ),
    (
        "catalog/add_material",
        Form(&[
            ("item_id", NONE),
            ("name", ""),
            ("form", ""),
            ("copies", ""),
            ("notes", ""),
            ("source", ""),
        ]),
        "uffoff",
    ),
    (
        "catalog/remove_material",
        Form(&[("material_id", NONE)]),
        "uffoff",
    ),
    (
        "catalog/add_step",
        Form(&[("item_id", NONE), ("kind", ""), ("notes", "")]),
        "uffoff",
    ),
    ("catalog/remove_step", Form(&[("step_id", NONE)]), "uffoff"),
    (
        "catalog/add_item",
        Form(&[
            ("list_id", NONE),
            ("name", ""),
            ("category", ""),
            ("item_type", ""),
            ("promised_days", ""),
        ]),
        "uffoff",
    ),
    ("catalog/remove_item", Form(&[("item_id", NONE)]), "uffoff"),
    (
        "catalog/save_item",
        Form(&[
            ("item_id", NONE),
            ("name", ""),
            ("item_type", ""),
            ("promised_days", ""),
            ("fees", ""),
            ("remarks", ""),
        ]),
        "uffoff",
    ),
    ("catalog/submit_list", Form(&[("list_id", NONE)]), "ufffff"),
    ("catalog/import_list", Multipart, "uffoff"),
    ("teams/mine", Form(&[]), "uffoff"),
    ("teams/start_draft", Form(&[]), "uffoff"),
    (
        "teams/add_member",
        Form(&[("team_id", NONE), ("account_id", NONE)]),
        "ufffff",
    ),
    (
        "teams/remove_member",
        Form(&[("member_id", NONE)]),
        "uffoff",
    ),
    (
        "teams/add_item",
        Form(&[("member_id", NONE), ("lineage", NONE)]),
        "uffoff",
    ),
    (
        "teams/remove_item",
        Form(&[("member_id", NONE), ("lineage", NONE)]),
        "uffoff",
    ),
    (
        "teams/add_training",
        Form(&[
            ("member_id", NONE),
            ("held_on", ""),
            ("topic", ""),
            ("hours", ""),
        ]),
        "uffoff",
    ),
    (
        "teams/remove_training",
        Form(&[("training_id", NONE)]),
        "uffoff",
    ),
    ("teams/submit", Form(&[("team_id", NONE)]), "ufffff"),
    // Supervisors: filing what units submit.
    ("catalog/pending_lists", Form(&[]), "ufffof"),
    ("teams/pending", Form(&[]), "ufffof"),
    (
        "filing/file",
        Form(&[("subject", "list"), ("id", NONE)]),
        "ufffof",
    ),
    (
        "filing/return",
        Form(&[("subject", "list"), ("id", NONE), ("reason", "")]),
        "ufffof",
    ),
    // Administrators: accounts, organization, the outbox.
    ("admin/staff", Form(&[]), "uffffo"),
    ("admin/centers", Form(&[]), "uffffo"),
    (
        "admin/create_staff",
        Form(&[
            ("login_name", ""),
            ("display_name", ""),
            ("phone", ""),
            ("role", ""),
            ("center_id", ""),
            ("department_id", ""),
            ("password", ""),
        ]),
        "uffffo",
    ),
    (
        "admin/staff_status",
        Form(&[("id", NONE), ("action", "unlock")]),
        "uffffo",
    ),
    (
        "admin/reset_staff_password",
        Form(&[("id", NONE)]),
        "uffffo",
    ),
    ("admin/outbox", Form(&[]), "uffffo"),
    // Everyone signed in: their own messages; staff choose SMS alerts.
    ("inbox/list", Form(&[]), "uooooo"),
    // Supervisors the county, managers their unit; agents only their own figures.
    ("supervision/figures", Form(&[("query", "")]), "uffoof"),
    ("supervision/cases", Form(&[("query", "")]), "uffoof"),
    ("supervision/mine", Form(&[]), "ufofff"),
    ("supervision/open", Form(&[]), "ufffof"),
    // Oversight: staff who act on a case raise blockages; managers coordinate their unit's,
    // supervisors the county's; only supervisors inspect and issue 通报; 通报 are read by all
    // (public ones) and staff (their unit's).
    (
        "oversight/raise",
        Form(&[("number", NONE), ("what", "")]),
        "ufooff",
    ),
    ("oversight/coordination", Form(&[]), "uffoof"),
    (
        "oversight/convene",
        Form(&[("held_on", ""), ("place", ""), ("attendees", "")]),
        "uffoof",
    ),
    (
        "oversight/resolve",
        Form(&[
            ("meeting_id", NONE),
            ("blockage_id", NONE),
            ("text", ""),
            ("owner", ""),
            ("due", ""),
        ]),
        "uffoof",
    ),
    (
        "oversight/close_action",
        Form(&[("id", NONE), ("note", "")]),
        "uffoof",
    ),
    ("oversight/inspections", Form(&[]), "uffoof"),
    (
        "oversight/plan",
        Form(&[
            ("title", ""),
            ("unit", ""),
            ("from", ""),
            ("to", ""),
            ("sample_size", ""),
        ]),
        "ufffof",
    ),
    ("oversight/inspection", Form(&[("id", NONE)]), "uffoof"),
    (
        "oversight/check",
        Form(&[("id", NONE), ("item", "team_filed")]),
        "ufffof",
    ),
    (
        "oversight/finding",
        Form(&[("id", NONE), ("case_id", NONE)]),
        "ufffof",
    ),
    (
        "oversight/rectify",
        Form(&[("id", NONE), ("text", ""), ("owner", ""), ("due", "")]),
        "ufffof",
    ),
    (
        "oversight/close_inspection",
        Form(&[("id", NONE), ("summary", "")]),
        "ufffof",
    ),
    (
        "oversight/bulletin",
        Form(&[("id", NONE), ("title", ""), ("body", "")]),
        "ufffof",
    ),
    ("oversight/bulletins", Form(&[]), "oooooo"),
    ("inbox/read", Form(&[("id", NONE)]), "uooooo"),
    // Quality: applicants rate their own cases; managers follow bad ratings up; complaints
    // are anyone's to make and supervisors' alone to read.
    (
        "quality/rate",
        Form(&[("number", NONE), ("level", ""), ("comment", "")]),
        "uoffff",
    ),
    ("quality/follow_ups", Form(&[]), "uffoof"),
    (
        "quality/contacted",
        Form(&[("id", NONE), ("note", "")]),
        "uffoff",
    ),
    (
        "quality/rectified",
        Form(&[("id", NONE), ("found", ""), ("rectification", "")]),
        "uffoff",
    ),
    (
        "quality/limits",
        Form(&[
            ("contact_days", ""),
            ("rectify_days", ""),
            ("complaint_days", ""),
        ]),
        "ufffof",
    ),
    ("quality/complaint_form", Form(&[]), "oooooo"),
    ("quality/complaint_code", Form(&[("phone", "1")]), "oooooo"),
    (
        "quality/complain",
        Form(&[("phone", "1"), ("center", ""), ("content", "")]),
        "oooooo",
    ),
    ("quality/complaints", Form(&[]), "ufffof"),
    (
        "quality/answer",
        Form(&[("id", NONE), ("verdict", ""), ("outcome", "")]),
        "ufffof",
    ),
    // Consultations and bookings: applicants ask and book; the center's staff answer and keep
    // the desk; managers publish slots; supervisors and managers read the figures.
    ("reception/ask_form", Form(&[("item", NONE)]), "uoffff"),
    (
        "reception/ask",
        Form(&[("item", NONE), ("center", ""), ("question", "")]),
        "uoffff",
    ),
    (
        "reception/record_question",
        Form(&[
            ("item", ""),
            ("name", ""),
            ("phone", ""),
            ("channel", ""),
            ("question", ""),
        ]),
        "ufooff",
    ),
    (
        "reception/answer",
        Form(&[("id", NONE), ("body", ""), ("mode", "")]),
        "ufooff",
    ),
    ("reception/my_questions", Form(&[]), "uoffff"),
    (
        "reception/figures",
        Form(&[("from", "2026-01-01"), ("to", "2026-01-31")]),
        "uffoof",
    ),
    ("reception/book_form", Form(&[("item", NONE)]), "uoffff"),
    (
        "reception/book",
        Form(&[("item", NONE), ("slot", ""), ("purpose", "")]),
        "uoffff",
    ),
    (
        "reception/book_for_caller",
        Form(&[
            ("item", ""),
            ("slot", ""),
            ("purpose", ""),
            ("name", ""),
            ("phone", ""),
        ]),
        "ufooff",
    ),
    ("reception/my_bookings", Form(&[]), "uoffff"),
    ("reception/booking", Form(&[("id", NONE)]), "uoffff"),
    ("reception/cancel", Form(&[("id", NONE)]), "uooooo"),
    (
        "reception/move",
        Form(&[("id", NONE), ("slot", "")]),
        "uooooo",
    ),
    (
        "reception/arrival",
        Form(&[("id", NONE), ("came", "no")]),
        "ufooff",
    ),
    (
        "reception/publish",
        Form(&[("from", ""), ("to", "")]),
        "uffoff",
    ),
    ("reception/desk", Form(&[]), "ufooff"),
    // Packages: the lead department's manager edits, supervisors file (filing/*), everyone
    // reads a filed one; applicants apply.
    ("packages/list", Form(&[]), "uffoof"),
    (
        "packages/create",
        Form(&[("name", ""), ("lead", ""), ("description", "")]),
        "uffoff",
    ),
    ("packages/view", Form(&[("id", NONE)]), "uffoof"),
    (
        "packages/edit",
        Form(&[("id", NONE), ("name", ""), ("description", "")]),
        "uffoff",
    ),
    (
        "packages/add_item",
        Form(&[("id", NONE), ("item", "")]),
        "uffoff",
    ),
    (
        "packages/remove_item",
        Form(&[("id", NONE), ("lineage", NONE)]),
        "uffoff",
    ),
    ("packages/submit", Form(&[("id", NONE)]), "uffoff"),
    ("packages/revise", Form(&[("id", NONE)]), "uffoff"),
    ("packages/public", Form(&[("id", NONE)]), "oooooo"),
    ("packages/filed", Form(&[]), "oooooo"),
    ("cases/page", Form(&[("number", NONE)]), "uoooof"),
    (
        "cases/package_apply_context",
        Form(&[("package", NONE)]),
        "uoffff",
    ),
    (
        "cases/package_delivery",
        Form(&[("number", NONE), ("together", "yes")]),
        "uoffff",
    ),
    ("cases/my_packages", Form(&[]), "uoffff"),
    ("inbox/sms_alerts", Form(&[("on", "false")]), "ufoooo"),
    ("org/tree", Form(&[]), "uffffo"),
    (
        "org/create_center",
        Form(&[
            ("name", ""),
            ("kind", ""),
            ("parent_id", ""),
            ("address", ""),
            ("phone", ""),
        ]),
        "uffffo",
    ),
    (
        "org/rename",
        Form(&[("what", "center"), ("id", NONE), ("name", "")]),
        "uffffo",
    ),
    (
        "org/move_center",
        Form(&[("id", NONE), ("parent_id", NONE)]),
        "uffffo",
    ),
    (
        "org/retire",
        Form(&[("what", "center"), ("id", NONE)]),
        "uffffo",
    ),
    (
        "org/add_unit",
        Form(&[("what", "department"), ("center_id", NONE), ("name", "")]),
        "uffffo",
    ),
    // The working-day calendar: administrators only.
    ("calendar/view", Form(&[]), "uffffo"),
    (
        "calendar/set_days",
        Form(&[("from", ""), ("to", ""), ("kind", "off"), ("name", "")]),
        "uffffo",
    ),
    (
        "calendar/remove_day",
        Form(&[("date", "2000-01-01")]),
        "uffffo",
    ),
    (
        "calendar/set_year",
        Form(&[("year", ""), ("source", "")]),
        "uffffo",
    ),
];

/// Pages (GET), with `{…}` parameters naming nothing. Administrators run accounts and the
/// organization; they do not read cases. A visitor sent to log in counts as `u`.
const PAGES: &[(&str, &str)] = &[
    ("/", "oooooo"),
    ("/catalog", "oooooo"),
    ("/items/{id}", "oooooo"),
    ("/centers/{id}", "oooooo"),
    ("/lists/{id}/print", "oooooo"),
    ("/login", "oooooo"),
    ("/register", "oooooo"),
    ("/reset", "oooooo"),
    ("/account/password", "uooooo"),
    ("/items/{id}/apply", "uoooff"),
    ("/cases/{number}", "uoooof"),
    ("/cases/{number}/sign", "uoffff"),
    ("/cases/{number}/notice", "uoooof"),
    ("/cases/{number}/handover", "uoooof"),
    ("/cases/{number}/print", "uoooof"),
    ("/me", "uoffff"),
    ("/workbench", "ufooff"),
    ("/workbench/assign", "uffoff"),
    ("/catalog/manage", "uffoff"),
    ("/catalog/manage/items/{id}", "uffoff"),
    ("/teams/manage", "uffoff"),
    ("/supervision", "uffoof"),
    ("/supervision/cases", "uffoof"),
    ("/supervision/teams", "ufffof"),
    ("/supervision/lists", "ufffof"),
    ("/admin", "uffffo"),
    ("/admin/organization", "uffffo"),
    ("/admin/calendar", "uffffo"),
    ("/admin/outbox", "uffffo"),
    ("/inbox", "uooooo"),
    ("/quality", "uffoof"),
    ("/quality/complaints", "ufffof"),
    ("/complaint", "oooooo"),
    ("/oversight", "uffoof"),
    ("/inspections", "uffoof"),
    ("/inspections/{id}", "uffoof"),
    ("/bulletins", "oooooo"),
    ("/complaint/done", "oooooo"),
    ("/ask", "uoffff"),
    ("/questions", "uoffff"),
    ("/book", "uoffff"),
    ("/bookings", "uoffff"),
    ("/bookings/{id}", "uoffff"),
    ("/reception", "ufooff"),
    ("/packages", "uffoof"),
    ("/packages/{id}", "uffoof"),
    ("/one/{id}", "oooooo"),
    ("/one/{id}/apply", "uoffff"),
];

/// The routes outside Leptos (files and exports), by method.
const PLAIN_ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/healthz", "oooooo"),
    ("GET", "/readyz", "oooooo"),
    ("GET", "/files/999999", "uooooo"),
    ("POST", "/files", "uooooo"),
    ("GET", "/lists/999999/list.csv", "oooooo"),
    ("GET", "/events", "uooooo"),
    ("GET", "/supervision/export/cases.csv", "uffoof"),
    ("GET", "/supervision/export/figures.xlsx", "uffoof"),
];

fn form() -> Value {
    json!({
        "applicant_kind": "citizen",
        "unit_name": "张秀英",
        "address": "内乡县城关镇",
        "legal_rep": "",
        "id_number": "11010519491231002X",
        "handler_name": "张秀英",
        "handler_phone": "13800000001",
        "services": ["window_acceptance"],
        "mode": "assist",
        "terms_accepted": true
    })
}

fn cell(status: reqwest::StatusCode) -> char {
    match status.as_u16() {
        401 => 'u',
        403 => 'f',
        // Pages send visitors to log in.
        302 | 303 => 'u',
        _ => 'o',
    }
}

async fn call(
    app: &common::TestApp,
    client: &Client,
    endpoint: &str,
    args: &Args,
) -> reqwest::Response {
    let url = format!("{}/api/{endpoint}", app.base);
    let req = client
        .post(url)
        .header("Origin", &app.base)
        .header("Accept", "application/json");
    let req = match args {
        Form(pairs) => req.form(pairs),
        Json(body) => req.json(&body()),
        Multipart => req.multipart(
            reqwest::multipart::Form::new()
                .text("department_id", NONE)
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(b"a,b\n".to_vec()).file_name("list.csv"),
                ),
        ),
    };
    req.send().await.unwrap()
}

async fn clients(app: &common::TestApp) -> Vec<Client> {
    let mut out = Vec::new();
    for caller in CALLERS {
        out.push(match caller {
            None => new_client(),
            Some(login) => app.client_as(login).await,
        });
    }
    out
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_server_function_has_a_row_and_keeps_to_it(pool: PgPool) {
    let app = spawn(pool).await;
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let listed: BTreeSet<String> = SERVER_FUNCTIONS.iter().map(|r| r.0.to_string()).collect();
    assert_eq!(
        registered.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "server functions without a row in the matrix"
    );
    assert_eq!(
        listed.difference(&registered).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "rows for server functions that no longer exist"
    );

    let clients = clients(&app).await;
    let mut wrong = Vec::new();
    for (endpoint, args, expected) in SERVER_FUNCTIONS {
        let mut got = String::new();
        for (i, client) in clients.iter().enumerate() {
            // Logging out would end the caller's session for the rows after it.
            let client = if *endpoint == "logout" {
                &new_client()
            } else {
                client
            };
            let res = call(&app, client, endpoint, args).await;
            assert_ne!(res.status(), 500, "{endpoint} as {:?}", CALLERS[i]);
            got.push(cell(res.status()));
        }
        if got != *expected {
            wrong.push(format!("{endpoint}: expected {expected}, got {got}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_page_and_route_has_a_row_and_keeps_to_it(pool: PgPool) {
    let app = spawn(pool).await;
    let routes: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    let listed: BTreeSet<String> = PAGES.iter().map(|r| r.0.to_string()).collect();
    assert_eq!(
        routes.symmetric_difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "pages and rows differ"
    );

    let clients = clients(&app).await;
    let mut wrong = Vec::new();
    for (path, expected) in PAGES {
        let path = path.replace("{id}", NONE).replace("{number}", "BB-NONE");
        let mut got = String::new();
        for client in &clients {
            let res = client
                .get(format!("{}{path}", app.base))
                .header("Accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_ne!(res.status(), 500, "{path}");
            got.push(cell(res.status()));
        }
        if got != *expected {
            wrong.push(format!("{path}: expected {expected}, got {got}"));
        }
    }
    for (method, path, expected) in PLAIN_ROUTES {
        let mut got = String::new();
        for client in &clients {
            let res = if *method == "GET" {
                client
                    .get(format!("{}{path}", app.base))
                    .send()
                    .await
                    .unwrap()
            } else {
                common::upload(&app, client, "material", "a.pdf", common::pdf(), None).await
            };
            assert_ne!(res.status(), 500, "{method} {path}");
            got.push(cell(res.status()));
        }
        if got != *expected {
            wrong.push(format!("{method} {path}: expected {expected}, got {got}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}
