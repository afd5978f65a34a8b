-- One who cannot sign on a screen signs the printed application form; the agent uploads a photo
-- or scan of it, and it stands for the signature (issue 19).
ALTER TABLE stored_files DROP CONSTRAINT stored_files_purpose_check;
ALTER TABLE stored_files ADD CONSTRAINT stored_files_purpose_check
    CHECK (purpose IN ('material', 'power_of_attorney', 'supplement', 'signature', 'seal', 'signed_form'));
