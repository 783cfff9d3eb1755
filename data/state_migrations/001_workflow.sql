-- Workflow state: what people write while the app runs (accounts, sign-in throttling, SSO
-- group mappings, alert statuses, budget proposals and approvers, the audit log). Portable
-- SQL for SQLite and PostgreSQL; {id} and {json} are filled in per dialect.
CREATE TABLE users (
    username      VARCHAR(64) PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          VARCHAR(16) NOT NULL CHECK (role IN ('admin', 'manager', 'viewer')),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);
CREATE TABLE user_labels (
    username      VARCHAR(64) NOT NULL,
    label         TEXT NOT NULL,
    PRIMARY KEY (username, label)
);
CREATE TABLE audit_log (
    audit_id      {id},
    logged_at     TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT,
    before        {json},
    after         {json}
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE TABLE signin_throttle (
    kind          VARCHAR(8) NOT NULL,
    key           VARCHAR(200) NOT NULL,
    window_start  TIMESTAMP NOT NULL,
    failures      INTEGER NOT NULL,
    lockouts      INTEGER NOT NULL DEFAULT 0,
    locked_until  TIMESTAMP,
    last_failure  TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE sso_groups (
    group_name    VARCHAR(256) PRIMARY KEY,
    role          VARCHAR(16) NOT NULL CHECK (role IN ('admin', 'manager', 'viewer')),
    updated_at    TIMESTAMP NOT NULL
);
CREATE TABLE sso_group_labels (
    group_name    VARCHAR(256) NOT NULL,
    label         TEXT NOT NULL,
    PRIMARY KEY (group_name, label)
);
CREATE TABLE alert_status (
    alert_key     TEXT PRIMARY KEY,
    status        VARCHAR(16) NOT NULL,
    changed_by    TEXT NOT NULL,
    changed_at    TIMESTAMP NOT NULL
);
CREATE TABLE budget_proposals (
    proposal_id   {id},
    isrc          VARCHAR(12) NOT NULL,
    label         TEXT NOT NULL,
    goal          VARCHAR(16) NOT NULL,
    total_usd     DOUBLE PRECISION NOT NULL,
    plan          {json} NOT NULL,
    status        VARCHAR(16) NOT NULL,
    comment       TEXT,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL
);
CREATE TABLE budget_approvers (
    username      VARCHAR(64) PRIMARY KEY,
    granted_by    TEXT NOT NULL,
    granted_at    TIMESTAMP NOT NULL
);
-- Signed-in sessions, for `labelradar status`: one row per browser session, touched on
-- each rerun (at most once a minute).
CREATE TABLE app_sessions (
    session_id    VARCHAR(64) PRIMARY KEY,
    username      TEXT NOT NULL,
    instance      TEXT NOT NULL,
    signed_in_at  TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL
);
-- Facts about the state database itself (e.g. that a legacy store's workflow rows were
-- imported once).
CREATE TABLE state_meta (
    key           VARCHAR(64) PRIMARY KEY,
    value         TEXT NOT NULL
);
