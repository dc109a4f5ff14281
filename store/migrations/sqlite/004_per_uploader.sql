-- One application per uploader of the same bytes (issue 22 item 8): the
-- second clerk to upload a file gets an application of their own, with
-- their batch, region and file name, not the first clerk's; the original
-- stays stored once under its SHA-256. created_by NULL (the system) counts
-- as one uploader.
--
-- SQLite cannot drop a column's UNIQUE: the table is rebuilt, the way
-- SQLite documents (migrate runs this with foreign keys off and checks
-- them before committing).
CREATE TABLE applications_new (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	sha256           TEXT    NOT NULL,
	filename         TEXT    NOT NULL,
	size             INTEGER NOT NULL,
	mime             TEXT    NOT NULL,
	batch            TEXT    NOT NULL DEFAULT '',
	region           TEXT    NOT NULL DEFAULT '',
	status           TEXT    NOT NULL,
	error_code       TEXT    NOT NULL DEFAULT '',
	error_message    TEXT    NOT NULL DEFAULT '',
	format           TEXT    NOT NULL DEFAULT '',
	edition          TEXT    NOT NULL DEFAULT '',
	year             INTEGER NOT NULL DEFAULT 0,
	cluster_name     TEXT    NOT NULL DEFAULT '',
	error_count      INTEGER NOT NULL DEFAULT 0,
	warning_count    INTEGER NOT NULL DEFAULT 0,
	version          INTEGER NOT NULL DEFAULT 0,
	created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	reviewed_version INTEGER NOT NULL DEFAULT 0,
	reviewed_by      TEXT    NOT NULL DEFAULT '',
	reviewed_at      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO applications_new (id, sha256, filename, size, mime, batch, region, status, error_code, error_message, format, edition, year,
	cluster_name, error_count, warning_count, version, created_by, created_at, updated_at, reviewed_version, reviewed_by, reviewed_at)
SELECT id, sha256, filename, size, mime, batch, region, status, error_code, error_message, format, edition, year,
	cluster_name, error_count, warning_count, version, created_by, created_at, updated_at, reviewed_version, reviewed_by, reviewed_at
FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_status ON applications(status);
CREATE INDEX applications_batch ON applications(batch);
CREATE UNIQUE INDEX applications_uploader ON applications(sha256, COALESCE(created_by, 0));
CREATE INDEX applications_sha256 ON applications(sha256);
