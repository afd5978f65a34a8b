CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A unit's published list (附件2). Edits go to the department's one open list (draft, submitted
-- or returned); filing makes it the current list and supersedes the previous one. Filed lists
-- never change, so open cases keep the version they were opened under.
CREATE TABLE item_lists (
    id               BIGSERIAL PRIMARY KEY,
    department_id    BIGINT NOT NULL REFERENCES departments (id),
    version          INTEGER NOT NULL CHECK (version > 0),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'filed', 'superseded')),
    submitted_by     BIGINT REFERENCES accounts (id),
    submitted_at     TIMESTAMPTZ,
    decided_by       BIGINT REFERENCES accounts (id),
    decided_at       TIMESTAMPTZ,
    returned_reason  TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (department_id, version)
);
CREATE UNIQUE INDEX item_lists_one_open ON item_lists (department_id)
    WHERE status IN ('draft', 'submitted', 'returned');
CREATE UNIQUE INDEX item_lists_one_current ON item_lists (department_id) WHERE status = 'filed';

CREATE TABLE service_items (
    id                 BIGSERIAL PRIMARY KEY,
    list_id            BIGINT NOT NULL REFERENCES item_lists (id),
    seq                INTEGER NOT NULL CHECK (seq > 0),
    name               TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
    pre_guidance       TEXT NOT NULL DEFAULT '',
    item_type          TEXT NOT NULL CHECK (item_type IN ('immediate', 'promised')),
    category           TEXT NOT NULL CHECK (category IN
                         ('project_construction', 'enterprise_registration', 'utilities', 'livelihood', 'other')),
    promised_days      INTEGER NOT NULL DEFAULT 0 CHECK (promised_days BETWEEN 0 AND 365),
    remarks            TEXT NOT NULL DEFAULT '',
    -- Other names people search by (e.g. 低保 for 最低生活保障).
    keywords           TEXT NOT NULL DEFAULT '',
    scope              TEXT NOT NULL DEFAULT '',
    method             TEXT NOT NULL DEFAULT '',
    booking_phone      TEXT NOT NULL DEFAULT '',
    mailing_address    TEXT NOT NULL DEFAULT '',
    mailing_recipient  TEXT NOT NULL DEFAULT '',
    -- Statutory fees; empty means free (无偿).
    fees               TEXT NOT NULL DEFAULT '',
    UNIQUE (list_id, seq),
    UNIQUE (list_id, name),
    CHECK (item_type = 'promised' OR promised_days = 0)
);
CREATE INDEX service_items_list ON service_items (list_id);
CREATE INDEX service_items_search ON service_items
    USING gin ((name || ' ' || keywords || ' ' || pre_guidance) gin_trgm_ops);

CREATE TABLE item_materials (
    id         BIGSERIAL PRIMARY KEY,
    item_id    BIGINT NOT NULL REFERENCES service_items (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
    form       TEXT NOT NULL CHECK (form IN ('original', 'copy', 'original_and_copy')),
    copies     INTEGER NOT NULL DEFAULT 1 CHECK (copies BETWEEN 1 AND 20),
    mandatory  BOOLEAN NOT NULL DEFAULT true,
    notes      TEXT NOT NULL DEFAULT '',
    -- Where to get it, for the one-time notice.
    source     TEXT NOT NULL DEFAULT '',
    UNIQUE (item_id, seq)
);

CREATE TABLE item_special_steps (
    id                   BIGSERIAL PRIMARY KEY,
    item_id              BIGINT NOT NULL REFERENCES service_items (id) ON DELETE CASCADE,
    seq                  INTEGER NOT NULL CHECK (seq > 0),
    kind                 TEXT NOT NULL CHECK (kind IN ('expert_review', 'site_inspection', 'public_notice')),
    counts_toward_limit  BOOLEAN NOT NULL,
    notes                TEXT NOT NULL DEFAULT '',
    UNIQUE (item_id, seq)
);
