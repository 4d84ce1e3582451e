-- Users, sessions, designs and deployments. Times are Unix seconds.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The session token itself is never stored, only its SHA-256.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

CREATE TABLE designs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL
);

CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    design_id TEXT NOT NULL REFERENCES designs(id),
    design_revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    requested_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The journal: one row per AWS resource a deployment created, written right after the call.
CREATE TABLE deployment_resources (
    deployment_id TEXT NOT NULL REFERENCES deployments(id),
    logical_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    aws_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (deployment_id, logical_id)
);

-- At most one running deployment per design: a second concurrent start fails on this index.
CREATE UNIQUE INDEX one_running_deployment_per_design ON deployments(design_id) WHERE status = 'running';
