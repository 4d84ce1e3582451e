-- Users, sessions, designs and deployments (PostgreSQL twin of migrations/sqlite). Times are
-- Unix seconds; every integer is BIGINT so both databases decode to i64.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The session token itself is never stored, only its SHA-256.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE designs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL
);

CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    design_id TEXT NOT NULL REFERENCES designs(id),
    design_revision BIGINT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    requested_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE deployment_resources (
    deployment_id TEXT NOT NULL REFERENCES deployments(id),
    logical_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    aws_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (deployment_id, logical_id)
);

CREATE UNIQUE INDEX one_running_deployment_per_design ON deployments(design_id) WHERE status = 'running';
