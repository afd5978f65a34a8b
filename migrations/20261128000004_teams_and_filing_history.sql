-- An item keeps its lineage across list versions, so what refers to "this item" (an agent's
-- coverage, later statistics) survives a new version of the list.
CREATE SEQUENCE service_item_lineage;
ALTER TABLE service_items ADD COLUMN lineage BIGINT;
UPDATE service_items SET lineage = nextval('service_item_lineage');
ALTER TABLE service_items
    ALTER COLUMN lineage SET NOT NULL,
    ALTER COLUMN lineage SET DEFAULT nextval('service_item_lineage'),
    ADD UNIQUE (list_id, lineage);
CREATE INDEX service_items_lineage ON service_items (lineage);

-- A center's or a department's agent team (登记备案), versioned like the item lists: edits go to
-- the unit's one open version; filing makes it current and supersedes the previous one.
CREATE TABLE agent_teams (
    id               BIGSERIAL PRIMARY KEY,
    center_id        BIGINT NOT NULL REFERENCES centers (id),
    department_id    BIGINT REFERENCES departments (id),
    version          INTEGER NOT NULL CHECK (version > 0),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'filed', 'superseded')),
    submitted_by     BIGINT REFERENCES accounts (id),
    submitted_at     TIMESTAMPTZ,
    decided_by       BIGINT REFERENCES accounts (id),
    decided_at       TIMESTAMPTZ,
    returned_reason  TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agent_teams_version ON agent_teams (center_id, coalesce(department_id, 0), version);
CREATE UNIQUE INDEX agent_teams_one_open ON agent_teams (center_id, coalesce(department_id, 0))
    WHERE status IN ('draft', 'submitted', 'returned');
CREATE UNIQUE INDEX agent_teams_one_current ON agent_teams (center_id, coalesce(department_id, 0))
    WHERE status = 'filed';

CREATE TABLE team_members (
    id          BIGSERIAL PRIMARY KEY,
    team_id     BIGINT NOT NULL REFERENCES agent_teams (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    UNIQUE (team_id, account_id)
);
CREATE INDEX team_members_account ON team_members (account_id);

-- The items an agent covers, by lineage.
CREATE TABLE team_member_items (
    member_id     BIGINT NOT NULL REFERENCES team_members (id) ON DELETE CASCADE,
    item_lineage  BIGINT NOT NULL,
    PRIMARY KEY (member_id, item_lineage)
);
CREATE INDEX team_member_items_lineage ON team_member_items (item_lineage);

CREATE TABLE training_records (
    id         BIGSERIAL PRIMARY KEY,
    member_id  BIGINT NOT NULL REFERENCES team_members (id) ON DELETE CASCADE,
    held_on    DATE NOT NULL,
    topic      TEXT NOT NULL CHECK (length(topic) BETWEEN 2 AND 100),
    hours      NUMERIC(4, 1) NOT NULL CHECK (hours > 0 AND hours <= 100)
);

-- Every step of filing item lists and agent teams: who, when, what, why.
CREATE TABLE filing_events (
    id          BIGSERIAL PRIMARY KEY,
    subject     TEXT NOT NULL CHECK (subject IN ('item_list', 'agent_team')),
    subject_id  BIGINT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('draft_started', 'imported', 'submitted', 'filed', 'returned')),
    actor_id    BIGINT NOT NULL REFERENCES accounts (id),
    reason      TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX filing_events_subject ON filing_events (subject, subject_id, at);
