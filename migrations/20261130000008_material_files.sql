-- A file handed in for one material of the item's checklist (the apply form's per-material
-- upload, a supplement answering one line of a one-time notice).
ALTER TABLE stored_files ADD COLUMN material TEXT CHECK (length(material) BETWEEN 1 AND 100);
