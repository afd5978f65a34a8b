-- Every step that stopped a clock of one kind at one center on one day added to the same row of
-- `clock_days`, so concurrent steps queued on that row's lock until each other's commit. Each day's
-- figures are now spread over 64 rows, one per database connection (its process id modulo 64);
-- readers already sum them.
ALTER TABLE clock_days ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE clock_days DROP CONSTRAINT clock_days_pkey;
ALTER TABLE clock_days ADD PRIMARY KEY (day, kind, center_id, department_id, slot);
