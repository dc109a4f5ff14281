-- Revocation (issue 22 item 6). session_version is carried in every
-- session cookie; signing out, a password change and disabling the account
-- move it on, so that every cookie issued before stops working at once.
-- A revoked token keeps its row (revoked_at, Unix milliseconds) for the
-- token list and the audit trail.
ALTER TABLE users ADD COLUMN session_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN revoked_at BIGINT;
