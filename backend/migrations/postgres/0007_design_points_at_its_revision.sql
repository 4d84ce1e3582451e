-- A design row points at its newest revision (designs.revision); the document is stored
-- once, in that revision's row. Every design's current revision has a row: revision 1 is
-- written with the design, every save writes its own, and migration 0002 copied the
-- documents saved before revisions existed.
ALTER TABLE designs DROP COLUMN document;
