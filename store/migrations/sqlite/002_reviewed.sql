-- A reviewer's sign-off of the application as a whole. It is for one report
-- version: reviewed_version equal to version means signed off; a later
-- correction or re-check moves version on and the sign-off no longer
-- counts (the audit log keeps it). reviewed_at is Unix milliseconds, 0 when
-- never signed off or withdrawn.
ALTER TABLE applications ADD COLUMN reviewed_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN reviewed_at INTEGER NOT NULL DEFAULT 0;
