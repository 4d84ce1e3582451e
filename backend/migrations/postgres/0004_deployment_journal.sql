-- The provisioning journal: every step of a deployment, before its call and after it, as the
-- JSON progress event the app streams; and whether a deployment applies or destroys.
CREATE TABLE deployment_events (
    id BIGSERIAL PRIMARY KEY,
    deployment_id TEXT NOT NULL REFERENCES deployments(id),
    event TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX deployment_events_by_deployment ON deployment_events(deployment_id, id);
ALTER TABLE deployments ADD COLUMN operation TEXT NOT NULL DEFAULT 'apply';
