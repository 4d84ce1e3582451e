-- Every save of a design is a revision (the first one too), kept whole so any can be restored.
CREATE TABLE design_revisions (
    design_id TEXT NOT NULL REFERENCES designs(id),
    revision INTEGER NOT NULL,
    document TEXT NOT NULL,
    document_hash TEXT NOT NULL,
    saved_by INTEGER NOT NULL REFERENCES users(id),
    saved_at INTEGER NOT NULL,
    -- Set when the revision restored an older one.
    restored_from INTEGER,
    PRIMARY KEY (design_id, revision)
);

-- The revisions saved before this migration.
INSERT INTO design_revisions (design_id, revision, document, document_hash, saved_by, saved_at)
SELECT id, revision, document, '', created_by, updated_at FROM designs;

-- Who did what, when: append-only (the triggers refuse updates and deletes).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    design_hash TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Failed sign-ins, for rate limiting per account and per client address.
CREATE TABLE login_failures (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures(scope, subject, at);
