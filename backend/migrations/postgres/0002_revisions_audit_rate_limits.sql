-- Every save of a design is a revision (PostgreSQL twin of migrations/sqlite).
CREATE TABLE design_revisions (
    design_id TEXT NOT NULL REFERENCES designs(id),
    revision BIGINT NOT NULL,
    document TEXT NOT NULL,
    document_hash TEXT NOT NULL,
    saved_by BIGINT NOT NULL REFERENCES users(id),
    saved_at BIGINT NOT NULL,
    restored_from BIGINT,
    PRIMARY KEY (design_id, revision)
);

INSERT INTO design_revisions (design_id, revision, document, document_hash, saved_by, saved_at)
SELECT id, revision, document, '', created_by, updated_at FROM designs;

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    design_hash TEXT NOT NULL DEFAULT ''
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE login_failures (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures(scope, subject, at);
