-- A design row points at its newest revision (designs.revision); the document is stored
-- once, in that revision's row. Every design's current revision has a row: revision 1 is
-- written with the design, every save writes its own, and migration 0002 copied the
-- documents saved before revisions existed.
ALTER TABLE designs DROP COLUMN document;

-- A save on SQLite is one statement: an INSERT into design_saves, which this trigger turns
-- into the revision check, the design row's move to the new revision, the revision row and
-- the audit row. One statement is one transaction, run whole on the writer connection's own
-- thread, so the single writer is never held while the server schedules the next statement
-- of a save (on PostgreSQL, with its many writers, the store runs the same steps as a
-- transaction of several statements instead).
CREATE VIEW design_saves AS
SELECT '' AS design_id, 0 AS based_on, '' AS name, '' AS document, '' AS document_hash,
       0 AS saved_by, '' AS saver_name, 0 AS saved_at, NULL AS restored_from,
       '' AS action, '' AS detail
WHERE 0;

CREATE TRIGGER design_save INSTEAD OF INSERT ON design_saves
BEGIN
    SELECT RAISE(ABORT, 'moat: the design is not at the revision the save is based on')
    WHERE NOT EXISTS (SELECT 1 FROM designs WHERE id = NEW.design_id AND revision = NEW.based_on);
    UPDATE designs SET name = NEW.name, revision = NEW.based_on + 1, updated_at = NEW.saved_at
    WHERE id = NEW.design_id;
    INSERT INTO design_revisions (design_id, revision, document, document_hash, saved_by, saved_at, restored_from)
    VALUES (NEW.design_id, NEW.based_on + 1, NEW.document, NEW.document_hash, NEW.saved_by, NEW.saved_at, NEW.restored_from);
    INSERT INTO audit_log (at, actor_id, actor_name, action, target, detail, design_hash)
    VALUES (NEW.saved_at, NEW.saved_by, NEW.saver_name, NEW.action, NEW.design_id, NEW.detail, NEW.document_hash);
END;
