-- Case work (the agent side): the details of each step, and the nearest due instant of a case's
-- running clocks, kept with every step, so queues sort by it with an index.
ALTER TABLE case_events ADD COLUMN details JSONB;
ALTER TABLE cases ADD COLUMN due_at TIMESTAMPTZ;
CREATE INDEX cases_queue_center ON cases (center_id, due_at, id) WHERE closed_at IS NULL;
CREATE INDEX cases_queue_department ON cases (department_id, due_at, id) WHERE closed_at IS NULL;
CREATE INDEX cases_queue_agent ON cases (agent_id, due_at, id) WHERE closed_at IS NULL;
