-- Who works a case (承办人), forwarding up the tree, signatures given later, and the stored
-- vocabularies checked by the database too.

-- A station that forwarded a case keeps read-only sight of it.
CREATE TABLE case_forwards (
    case_id         BIGINT NOT NULL REFERENCES cases (id),
    from_center_id  BIGINT NOT NULL REFERENCES centers (id),
    to_center_id    BIGINT NOT NULL REFERENCES centers (id),
    at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, from_center_id)
);
CREATE INDEX case_forwards_from ON case_forwards (from_center_id, case_id);

-- Forwards made before this table existed: the station is the center of the event's actor.
INSERT INTO case_forwards (case_id, from_center_id, to_center_id, at)
SELECT DISTINCT ON (e.case_id, a.center_id) e.case_id, a.center_id, c.center_id, e.at
FROM case_events e JOIN accounts a ON a.id = e.actor_id JOIN cases c ON c.id = e.case_id
WHERE e.event->>'kind' = 'forward' AND a.center_id IS NOT NULL AND a.center_id <> c.center_id
ORDER BY e.case_id, a.center_id, e.at DESC;

-- The agent's signature under 代办人 on the form, captured on receipt.
ALTER TABLE cases ADD COLUMN agent_signature_file BIGINT REFERENCES stored_files (id);

ALTER TABLE cases ADD CONSTRAINT cases_state_known CHECK (state IN (
    'submitted', 'received', 'awaiting_supplement', 'materials_complete', 'at_window', 'handed_over',
    'submitted_to_window', 'accepted_by_window', 'special_step', 'result_issued', 'delivering',
    'completed', 'withdrawn', 'terminated', 'guided'));

-- An enterprise's seal (盖章) on the form: an image or scan of the stamped form.
ALTER TABLE stored_files DROP CONSTRAINT stored_files_purpose_check;
ALTER TABLE stored_files ADD CONSTRAINT stored_files_purpose_check
    CHECK (purpose IN ('material', 'power_of_attorney', 'supplement', 'signature', 'seal'));

-- Queues of unassigned cases and each agent's open load.
CREATE INDEX cases_open_unassigned ON cases (center_id, id) WHERE closed_at IS NULL AND agent_id IS NULL;
