-- Deployments as leased jobs: the server running one holds a lease (its id, until when in unix
-- milliseconds) and renews it while it runs; another server takes a deployment over only once
-- its lease has expired, or at once when its server released it on shutdown. Each journal
-- entry names the server that wrote it.
ALTER TABLE deployments ADD COLUMN lease_owner TEXT;
ALTER TABLE deployments ADD COLUMN lease_expires_ms INTEGER;
ALTER TABLE deployments ADD COLUMN takeovers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployment_events ADD COLUMN server_id TEXT;
