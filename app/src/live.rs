//! Pushed updates. The database announces every case event and every change of a person's
//! messages (`NOTIFY`, sent at commit); each server process listens once and streams what a
//! signed-in person may see to their open pages as server-sent events (`GET /events`). A page
//! that was away (a network drop, a server restart) reconnects with the last event it had and
//! is told what changed meanwhile. The page's own script refreshes the parts marked
//! `data-live` (see `LIVE_JS`).

/// The page script for live parts: opens the stream where someone is signed in, refreshes the
/// page's `data-live` regions from a fresh copy of the page when a case they show changed (a
/// region with `data-live-case` only for that case; one with `data-live-inbox` on new
/// messages), and keeps the unread count in the header current. A region holding an island
/// cannot be swapped (its code is bound to the old nodes): the page reloads instead, unless the
/// person is typing there, who then gets a notice with a 刷新 button.
pub const LIVE_JS: &str = r#"() => {
  const badge = document.getElementById('inbox-count');
  if (!badge || !window.EventSource) return;
  let timer = null, typing = false, leaving = false;
  // Typing (not a file chosen: an upload is saved at once) keeps a page from reloading.
  document.addEventListener('input', (e) => {
    if (e.target.type !== 'file' && e.target.closest('[data-live]')) typing = true;
  });
  // A page this script reloads starts its stream from the last event it had: a step committed
  // while the new copy was on its way is not missed. (Not after an island's own step: its own
  // event would come again and could reload the page once more under the person's hands.)
  const KEY = 'bangban-live-since', here = location.pathname + location.search;
  let last = '';
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    sessionStorage.removeItem(KEY);
    if (kept && kept.here === here && Date.now() - kept.at < 60000) last = kept.id;
  } catch (_) {}
  // An island's own step reloads the page: no second reload behind it.
  addEventListener('beforeunload', () => { leaving = true; });
  const reload = () => {
    try { if (last) sessionStorage.setItem(KEY, JSON.stringify({ id: last, here, at: Date.now() })); } catch (_) {}
    location.reload();
  };
  const stale = (el) => {
    if (el.querySelector(':scope > .live-stale')) return;
    const p = document.createElement('p');
    p.className = 'live-stale';
    p.setAttribute('role', 'status');
    p.textContent = '此页内容已有更新。';
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button';
    b.textContent = '刷新';
    b.addEventListener('click', () => location.reload());
    p.append(b);
    el.prepend(p);
  };
  // Events close together make one fetch for all the regions they touch; fetches run one after
  // another, so an older page never lands over a newer one.
  let pending = [], chain = Promise.resolve();
  const update = async (matches) => {
    const targets = [...document.querySelectorAll('[data-live]')].filter(matches);
    if (!targets.length || leaving) return;
    const res = await fetch(location.href, { credentials: 'same-origin' }).catch(() => null);
    if (!res || !res.ok || leaving) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const el of targets) {
      const fresh = doc.querySelector(`[data-live="${el.dataset.live}"]`);
      if (!fresh || fresh.innerHTML === el.innerHTML) continue;
      if (el.querySelector('leptos-island') || fresh.querySelector('leptos-island')) {
        if (typing) { stale(el); continue; }
        reload();
        return;
      }
      el.replaceWith(document.importNode(fresh, true));
    }
    document.body.dataset.liveAt = String(Date.now());
  };
  const refresh = (matches) => {
    pending.push(matches);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = pending;
      pending = [];
      chain = chain.then(() => update((el) => now.some((m) => m(el)))).catch(() => {});
    }, 50);
  };
  // The browser reconnects by itself after a drop (sending the last event's id); when it gives
  // up (a proxy answered 502 while a process restarted) a new stream starts from that id.
  const connect = () => {
    const es = new EventSource(last ? `/events?since=${encodeURIComponent(last)}` : '/events');
    const seen = (e) => { if (e.lastEventId) last = e.lastEventId; };
    es.addEventListener('case', (e) => {
      seen(e);
      refresh((el) => !el.dataset.liveCase || el.dataset.liveCase === e.data);
    });
    es.addEventListener('resync', () => refresh(() => true));
    es.addEventListener('inbox', (e) => {
      const n = Number(e.data) || 0;
      badge.textContent = String(n);
      badge.hidden = n === 0;
      refresh((el) => 'liveInbox' in el.dataset);
    });
    es.addEventListener('hello', (e) => {
      seen(e);
      document.body.dataset.live = 'connected';
    });
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED && !leaving) {
        document.body.dataset.live = 'reconnecting';
        setTimeout(connect, 3000);
      }
    });
  };
  connect();
}"#;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::accounts::ssr::{AuthSession, User};
    use crate::case_log::ssr::{find_id, CaseRow};
    use crate::case_log::Access;
    use crate::notifications::ssr::unread;
    use crate::state::AppState;
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::sse::{Event, KeepAlive, Sse};
    use axum::response::{IntoResponse, Response};
    use sqlx::postgres::PgListener;
    use sqlx::PgPool;
    use std::convert::Infallible;
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::broadcast;

    pub const CASE_CHANNEL: &str = "bangban_case";
    pub const INBOX_CHANNEL: &str = "bangban_inbox";
    /// A stream ends after this long; the browser reconnects at once, and the session is
    /// checked again (a signed-out or expired session gets no more events).
    const STREAM_LIFETIME: Duration = Duration::from_secs(15 * 60);
    /// A reconnecting page is told of at most this many changed cases; beyond it, of "many".
    const CATCH_UP_CASES: i64 = 200;

    /// What changed, as one process heard it from the database.
    #[derive(Clone, Debug)]
    pub enum Change {
        Case {
            event_id: i64,
            case: Arc<CaseRow>,
        },
        Inbox {
            account: i64,
        },
        /// The listener lost its connection for a moment and may have missed changes.
        Resync,
    }

    /// This process's one listener, shared by every open stream.
    #[derive(Clone)]
    pub struct Hub {
        tx: broadcast::Sender<Change>,
    }

    impl Hub {
        /// Starts listening on `pool`'s database. The task runs until aborted (the process
        /// ends, or a test drops its app).
        pub fn start(pool: PgPool) -> (Hub, tokio::task::JoinHandle<()>) {
            let (tx, _) = broadcast::channel(1024);
            let hub = Hub { tx: tx.clone() };
            (hub, tokio::spawn(listen(pool, tx)))
        }

        pub fn subscribe(&self) -> broadcast::Receiver<Change> {
            self.tx.subscribe()
        }
    }

    async fn listen(pool: PgPool, tx: broadcast::Sender<Change>) {
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "live updates: cannot listen, retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let channels = [
                CASE_CHANNEL,
                INBOX_CHANNEL,
                crate::calendar::ssr::CHANNEL,
                crate::accounts::ssr::ACCOUNTS_CHANNEL,
                crate::accounts::ssr::SESSIONS_CHANNEL,
            ];
            if let Err(e) = listener.listen_all(channels).await {
                tracing::warn!(error = %e, "live updates: LISTEN failed, retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            // Whatever happened while we were not listening reaches open pages as a resync, and
            // what is held in memory is read afresh (and held only while this guard lives).
            let _held = crate::held::Listening::start(&pool, &channels);
            let _ = tx.send(Change::Resync);
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        let channel = channels.into_iter().find(|c| *c == n.channel());
                        if let Some(c) = channel {
                            crate::held::changed(&pool, c);
                        }
                        // No page of this process is open to hear it: the case is not read
                        // (a morning rush would otherwise cost a query per step per process).
                        if tx.receiver_count() == 0 {
                            continue;
                        }
                        if let Some(change) = decode(&pool, n.channel(), n.payload()).await {
                            let _ = tx.send(change);
                        }
                    }
                    // The connection dropped: listen again from the top (what was missed
                    // meanwhile is resynced there).
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "live updates: listener failed");
                        break;
                    }
                }
            }
        }
    }

    async fn decode(pool: &PgPool, channel: &str, payload: &str) -> Option<Change> {
        match channel {
            CASE_CHANNEL => {
                let (event, case) = payload.split_once(',')?;
                let (event_id, case_id) = (event.parse().ok()?, case.parse().ok()?);
                match find_id(pool, case_id).await {
                    Ok(case) => Some(Change::Case {
                        event_id,
                        case: Arc::new(case),
                    }),
                    Err(e) => {
                        tracing::warn!(error = %e, case_id, "live updates: case not loaded");
                        Some(Change::Resync)
                    }
                }
            }
            INBOX_CHANNEL => Some(Change::Inbox {
                account: payload.parse().ok()?,
            }),
            _ => None,
        }
    }

    fn case_event(event_id: i64, number: &str) -> Event {
        Event::default()
            .event("case")
            .id(event_id.to_string())
            .data(number)
    }

    /// What a page that last saw event `last` missed and may see, or `None` for "too much:
    /// refresh everything".
    async fn missed(
        pool: &PgPool,
        user: &User,
        last: i64,
    ) -> Result<Option<Vec<Event>>, sqlx::Error> {
        let changed: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT max(id), case_id FROM case_events WHERE id > $1 GROUP BY case_id
             ORDER BY max(id) LIMIT $2",
        )
        .bind(last)
        .bind(CATCH_UP_CASES + 1)
        .fetch_all(pool)
        .await?;
        if changed.len() as i64 > CATCH_UP_CASES {
            return Ok(None);
        }
        let mut events = Vec::new();
        for (event_id, case_id) in changed {
            match find_id(pool, case_id).await {
                Ok(case) if case.access(user) != Access::None => {
                    events.push(case_event(event_id, &case.number))
                }
                Ok(_) => {}
                Err(_) => return Ok(None),
            }
        }
        Ok(Some(events))
    }

    #[derive(serde::Deserialize)]
    pub struct Since {
        since: Option<i64>,
    }

    /// `GET /events`: the signed-in person's stream.
    pub async fn events(
        State(state): State<AppState>,
        auth: AuthSession,
        headers: HeaderMap,
        Query(query): Query<Since>,
    ) -> Response {
        let Some(user) = auth.user else {
            return (StatusCode::UNAUTHORIZED, "请先登录").into_response();
        };
        if user.must_change_password {
            return (StatusCode::CONFLICT, "请先修改密码").into_response();
        }
        // Subscribe before reading what was missed, so nothing falls between the two.
        let rx = state.live.subscribe();
        // The browser's own reconnection sends the header; a page starting a new stream after
        // the browser gave up sends `?since=`.
        let last: Option<i64> = headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .or(query.since);
        let mut first = Vec::new();
        let latest: Result<Option<i64>, _> = sqlx::query_scalar("SELECT max(id) FROM case_events")
            .fetch_one(&state.pool)
            .await;
        let Ok(latest) = latest else {
            return (StatusCode::SERVICE_UNAVAILABLE, "暂时无法连接").into_response();
        };
        first.push(
            Event::default()
                .event("hello")
                .id(latest.unwrap_or(0).to_string())
                .retry(Duration::from_secs(1))
                // An event without data is never dispatched by the browser.
                .data("ok"),
        );
        if let Some(last) = last {
            match missed(&state.pool, &user, last).await {
                Ok(Some(events)) => first.extend(events),
                _ => first.push(Event::default().event("resync").data("ok")),
            }
        }
        if let Ok(n) = unread(&state.pool, user.id).await {
            first.push(Event::default().event("inbox").data(n.to_string()));
        }
        let stream = Stream {
            user: Arc::new(user),
            pool: state.pool.clone(),
            rx,
            first: first.into(),
            until: tokio::time::Instant::now() + STREAM_LIFETIME,
        };
        Sse::new(stream.into_stream())
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
            .into_response()
    }

    struct Stream {
        user: Arc<User>,
        pool: PgPool,
        rx: broadcast::Receiver<Change>,
        first: std::collections::VecDeque<Event>,
        until: tokio::time::Instant,
    }

    impl Stream {
        fn into_stream(self) -> impl futures::Stream<Item = Result<Event, Infallible>> {
            futures::stream::unfold(self, |mut s| async move {
                if let Some(e) = s.first.pop_front() {
                    return Some((Ok(e), s));
                }
                loop {
                    let change = match tokio::time::timeout_at(s.until, s.rx.recv()).await {
                        Err(_) => return None,
                        Ok(Ok(change)) => change,
                        Ok(Err(broadcast::error::RecvError::Lagged(_))) => Change::Resync,
                        Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                    };
                    if let Some(event) = s.filter(change).await {
                        return Some((Ok(event), s));
                    }
                }
            })
        }

        /// The event this person may have for `change`: nothing about a case they may not see.
        async fn filter(&self, change: Change) -> Option<Event> {
            match change {
                Change::Case { event_id, case } => (case.access(&self.user) != Access::None)
                    .then(|| case_event(event_id, &case.number)),
                Change::Inbox { account } if account == self.user.id => {
                    let n = unread(&self.pool, account).await.ok()?;
                    Some(Event::default().event("inbox").data(n.to_string()))
                }
                Change::Inbox { .. } => None,
                Change::Resync => Some(Event::default().event("resync").data("ok")),
            }
        }
    }
}
