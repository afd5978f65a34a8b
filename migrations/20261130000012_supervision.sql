-- Supervision (issue 15): the clocks of every case, kept by the write path from the event log
-- (case_log::ssr::refresh_timing), so that the figures of a period are indexed aggregates and
-- never a replay of millions of events.
CREATE TABLE case_clocks (
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    -- The order the case's clocks started in.
    seq         SMALLINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('agent_review', 'agent_hand_in',
                                              'department_processing', 'applicant_waiting')),
    -- Which run of this kind it is (a second applicant_waiting is a second one-time notice).
    nth         SMALLINT NOT NULL,
    -- Where the case was and who was responsible while the clock ran (frozen when it stops:
    -- a station's hand-in clock stays the station's after it forwards the case).
    center_id   BIGINT NOT NULL REFERENCES centers (id),
    agent_id    BIGINT REFERENCES accounts (id),
    -- The case's department and item (lineage), copied so reports need not join cases.
    department_id BIGINT REFERENCES departments (id),
    item_lineage  BIGINT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    stopped_at  TIMESTAMPTZ,
    limit_days  INTEGER,
    -- End of the due day; NULL without a limit or while a special step pauses the clock.
    due_at      TIMESTAMPTZ,
    used_days   INTEGER NOT NULL,
    -- Stopped after its due day, or already late at the last refresh.
    breached    BOOLEAN NOT NULL,
    PRIMARY KEY (case_id, seq)
);
-- Clocks finished in a period, and running clocks gone past their due day.
CREATE INDEX case_clocks_stopped ON case_clocks (stopped_at) INCLUDE (kind, breached, used_days)
    WHERE stopped_at IS NOT NULL;
CREATE INDEX case_clocks_overdue ON case_clocks (due_at) WHERE stopped_at IS NULL AND due_at IS NOT NULL;
CREATE INDEX case_clocks_notices ON case_clocks (started_at)
    WHERE kind = 'applicant_waiting' AND nth = 2;

-- How the result reached the applicant (shared::case::Delivery, without the address).
ALTER TABLE cases ADD COLUMN delivery_mode TEXT
    CHECK (delivery_mode IN ('window_pickup', 'door', 'mail'));

-- Where the application came in (forwarding moves center_id up the tree; a station's intake
-- stays the station's in the figures). Older cases: the first center that forwarded them.
ALTER TABLE cases ADD COLUMN intake_center_id BIGINT REFERENCES centers (id);
UPDATE cases c SET intake_center_id = coalesce(
    (SELECT f.from_center_id FROM case_forwards f WHERE f.case_id = c.id ORDER BY f.at LIMIT 1),
    c.center_id);
ALTER TABLE cases ALTER COLUMN intake_center_id SET NOT NULL;

-- The case search and the figures go by period: what came in, what closed.
CREATE INDEX cases_submitted ON cases (submitted_at DESC, id DESC);
CREATE INDEX cases_closed ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- Clocks stopped per Beijing day, kind, center and department: the weekly trend reads a few
-- hundred of these instead of every clock of twelve weeks. Kept by the same statement of the
-- write path that stops a clock (a clock stops once); department 0 is a case without one.
CREATE TABLE clock_days (
    day            DATE NOT NULL,
    kind           TEXT NOT NULL,
    center_id      BIGINT NOT NULL,
    department_id  BIGINT NOT NULL,
    finished       BIGINT NOT NULL,
    met            BIGINT NOT NULL,
    stopped        BIGINT NOT NULL,
    days           BIGINT NOT NULL,
    PRIMARY KEY (day, kind, center_id, department_id)
);
