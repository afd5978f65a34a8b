-- Oversight: blockages raised on cases (堵点), coordination meetings and their resolutions
-- (协调会议), inspections with a reproducible sample of cases (监督检查), rectifications, and
-- 通报. Rows are added, never changed: where a thing stands is read from its later rows.

CREATE TABLE blockages (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    what         TEXT NOT NULL,
    departments  BIGINT[] NOT NULL,
    raised_by    BIGINT NOT NULL REFERENCES accounts (id),
    raised_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX blockages_case ON blockages (case_id);

CREATE TABLE meetings (
    id            BIGSERIAL PRIMARY KEY,
    held_on       DATE NOT NULL,
    place         TEXT NOT NULL,
    attendees     TEXT NOT NULL,
    departments   BIGINT[] NOT NULL,
    convened_by   BIGINT NOT NULL REFERENCES accounts (id),
    convened_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE meeting_blockages (
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id),
    blockage_id  BIGINT NOT NULL REFERENCES blockages (id),
    PRIMARY KEY (meeting_id, blockage_id)
);

-- What a unit must do, by when: a meeting's resolution (on a blockage) or an inspection's
-- rectification.
CREATE TABLE inspections (
    id             BIGSERIAL PRIMARY KEY,
    title          TEXT NOT NULL,
    center_id      BIGINT NOT NULL REFERENCES centers (id),
    department_id  BIGINT REFERENCES departments (id),
    period_from    DATE NOT NULL,
    period_to      DATE NOT NULL,
    sample_size    INTEGER NOT NULL,
    -- The draw: the seed and what it drew, so anyone can redo it (shared::oversight::draw_sample).
    seed           BIGINT NOT NULL,
    sample         BIGINT[] NOT NULL,
    planned_by     BIGINT NOT NULL REFERENCES accounts (id),
    planned_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE inspection_checks (
    inspection_id  BIGINT NOT NULL REFERENCES inspections (id),
    item           TEXT NOT NULL,
    passed         BOOLEAN NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    by_id          BIGINT NOT NULL REFERENCES accounts (id),
    at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (inspection_id, item)
);

CREATE TABLE inspection_findings (
    inspection_id  BIGINT NOT NULL REFERENCES inspections (id),
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    ok             BOOLEAN NOT NULL,
    finding        TEXT NOT NULL DEFAULT '',
    by_id          BIGINT NOT NULL REFERENCES accounts (id),
    at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (inspection_id, case_id)
);

CREATE TABLE inspection_closures (
    inspection_id  BIGINT PRIMARY KEY REFERENCES inspections (id),
    summary        TEXT NOT NULL,
    by_id          BIGINT NOT NULL REFERENCES accounts (id),
    at             TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE actions (
    id             BIGSERIAL PRIMARY KEY,
    meeting_id     BIGINT REFERENCES meetings (id),
    blockage_id    BIGINT REFERENCES blockages (id),
    inspection_id  BIGINT REFERENCES inspections (id),
    text           TEXT NOT NULL,
    owner          TEXT NOT NULL,
    due            DATE NOT NULL,
    created_by     BIGINT NOT NULL REFERENCES accounts (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((meeting_id IS NOT NULL) <> (inspection_id IS NOT NULL))
);
CREATE INDEX actions_blockage ON actions (blockage_id);
CREATE INDEX actions_inspection ON actions (inspection_id);

CREATE TABLE action_closures (
    action_id  BIGINT PRIMARY KEY REFERENCES actions (id),
    note       TEXT NOT NULL,
    by_id      BIGINT NOT NULL REFERENCES accounts (id),
    at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE bulletins (
    id             BIGSERIAL PRIMARY KEY,
    inspection_id  BIGINT REFERENCES inspections (id),
    kind           TEXT NOT NULL CHECK (kind IN ('criticism', 'commendation')),
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    center_id      BIGINT NOT NULL REFERENCES centers (id),
    department_id  BIGINT REFERENCES departments (id),
    public         BOOLEAN NOT NULL,
    issued_by      BIGINT NOT NULL REFERENCES accounts (id),
    issued_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX bulletins_public ON bulletins (issued_at DESC) WHERE public;

REVOKE UPDATE, DELETE, TRUNCATE ON blockages, meetings, meeting_blockages, inspections,
    inspection_checks, inspection_findings, inspection_closures, actions, action_closures,
    bulletins FROM bangban_app;
