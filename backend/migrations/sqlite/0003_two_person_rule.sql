-- The two-person rule: a deployment of a protected target waits for a second deployer, who
-- approves the exact plan (its hash); a changed design invalidates the request.
ALTER TABLE deployments ADD COLUMN plan_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN approved_by BIGINT REFERENCES users(id);
