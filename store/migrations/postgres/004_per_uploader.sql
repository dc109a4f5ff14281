-- One application per uploader of the same bytes (issue 22 item 8): the
-- second clerk to upload a file gets an application of their own, with
-- their batch, region and file name, not the first clerk's; the original
-- stays stored once under its SHA-256. created_by NULL (the system) counts
-- as one uploader.
ALTER TABLE applications DROP CONSTRAINT applications_sha256_key;
CREATE UNIQUE INDEX applications_uploader ON applications (sha256, COALESCE(created_by, 0));
CREATE INDEX applications_sha256 ON applications (sha256);

-- When an original was stored, so that the sweep of unreferenced originals
-- (issue 22 item 12) spares one whose upload is still being recorded.
ALTER TABLE originals ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
