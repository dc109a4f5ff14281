-- Timestamps are Unix milliseconds in both dialects so that one Go code
-- path reads them.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT    NOT NULL UNIQUE,
	role          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
);

CREATE TABLE tokens (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name         TEXT    NOT NULL,
	hash         TEXT    NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER
);

CREATE TABLE applications (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	sha256        TEXT    NOT NULL UNIQUE,
	filename      TEXT    NOT NULL,
	size          INTEGER NOT NULL,
	mime          TEXT    NOT NULL,
	batch         TEXT    NOT NULL DEFAULT '',
	region        TEXT    NOT NULL DEFAULT '',
	status        TEXT    NOT NULL,
	error_code    TEXT    NOT NULL DEFAULT '',
	error_message TEXT    NOT NULL DEFAULT '',
	format        TEXT    NOT NULL DEFAULT '',
	edition       TEXT    NOT NULL DEFAULT '',
	year          INTEGER NOT NULL DEFAULT 0,
	cluster_name  TEXT    NOT NULL DEFAULT '',
	error_count   INTEGER NOT NULL DEFAULT 0,
	warning_count INTEGER NOT NULL DEFAULT 0,
	version       INTEGER NOT NULL DEFAULT 0,
	created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX applications_status ON applications(status);
CREATE INDEX applications_batch ON applications(batch);

-- uploads records every upload of a file, so that a clerk sees the
-- applications they sent even when someone else sent the same file first.
CREATE TABLE uploads (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
	user_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
	batch          TEXT    NOT NULL DEFAULT '',
	filename       TEXT    NOT NULL,
	created_at     INTEGER NOT NULL
);
CREATE INDEX uploads_user ON uploads(user_id, application_id);

CREATE TABLE reports (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
	version        INTEGER NOT NULL,
	kind           TEXT    NOT NULL,
	job_id         INTEGER UNIQUE,
	created_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at     INTEGER NOT NULL,
	body           TEXT    NOT NULL,
	UNIQUE (application_id, version)
);

CREATE TABLE reviews (
	application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
	finding_key    TEXT    NOT NULL,
	decision       TEXT    NOT NULL,
	reason         TEXT    NOT NULL,
	user_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at     INTEGER NOT NULL,
	PRIMARY KEY (application_id, finding_key)
);

CREATE TABLE audit (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	at             INTEGER NOT NULL,
	user_id        INTEGER,
	user_name      TEXT    NOT NULL,
	action         TEXT    NOT NULL,
	application_id INTEGER,
	detail         TEXT    NOT NULL
);
CREATE INDEX audit_application ON audit(application_id);

CREATE TABLE rechecks (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	filter     TEXT    NOT NULL,
	total      INTEGER NOT NULL,
	created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE recheck_items (
	recheck_id     INTEGER NOT NULL REFERENCES rechecks(id) ON DELETE CASCADE,
	application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
	state          TEXT    NOT NULL DEFAULT 'queued',
	PRIMARY KEY (recheck_id, application_id)
);
