-- App-canonical tables (back these up) ------------------------------------

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT 'contributor'
                  CHECK (role IN ('owner', 'admin', 'contributor')),
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT,
    suspended_at  TEXT,
    session_epoch INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER REFERENCES users(id),
    on_behalf_of   TEXT,
    kind           TEXT NOT NULL,
    target         TEXT NOT NULL,
    details        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE permission_events (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor_user_id   INTEGER REFERENCES users(id),
    subject_user_id INTEGER NOT NULL REFERENCES users(id),
    scope           TEXT NOT NULL DEFAULT 'site',
    from_role       TEXT,
    to_role         TEXT,
    reason          TEXT NOT NULL DEFAULT ''
);

-- Why a pull request was closed without merging: the forge does not keep it.
CREATE TABLE pull_request_closures (
    repo          TEXT NOT NULL,
    number        INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    closed_by     INTEGER REFERENCES users(id),
    closed_at     TEXT NOT NULL,
    PRIMARY KEY (repo, number)
);

-- Deliveries already ingested, so the same event twice changes nothing.
CREATE TABLE ingested_deliveries (
    delivery_id   TEXT PRIMARY KEY,
    received_at   TEXT NOT NULL
);

-- The embedded forge's own records (its truth, not a cache) ---------------

CREATE TABLE forge_pull_requests (
    repo             TEXT NOT NULL,
    number           INTEGER NOT NULL,
    title            TEXT NOT NULL,
    body             TEXT NOT NULL DEFAULT '',
    head_branch      TEXT NOT NULL,
    base_branch      TEXT NOT NULL,
    head_sha         TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('open', 'closed', 'merged')),
    author_login     TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    merged_at        TEXT,
    merge_commit_sha TEXT,
    closed_at        TEXT,
    PRIMARY KEY (repo, number)
);

-- Caches of the forge (rebuildable from it at any time) --------------------

CREATE TABLE cached_rfcs (
    slug         TEXT PRIMARY KEY,
    repo         TEXT NOT NULL,
    path         TEXT NOT NULL,
    title        TEXT NOT NULL,
    pitch        TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    authors      TEXT NOT NULL DEFAULT '[]',
    rfc_number   INTEGER,
    commit_sha   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE cached_pull_requests (
    repo          TEXT NOT NULL,
    number        INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    rfc_slug      TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL DEFAULT '',
    head_branch   TEXT NOT NULL,
    base_branch   TEXT NOT NULL,
    head_sha      TEXT NOT NULL,
    state         TEXT NOT NULL,
    author_login  TEXT NOT NULL,
    meta          TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    merged_at     TEXT,
    closed_at     TEXT,
    PRIMARY KEY (repo, number)
);
CREATE INDEX cached_pull_requests_open ON cached_pull_requests (state, kind);

CREATE TABLE cached_branches (
    repo            TEXT NOT NULL,
    name            TEXT NOT NULL,
    rfc_slug        TEXT,
    head            TEXT NOT NULL,
    last_commit_at  TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'deleted')),
    pinned          INTEGER NOT NULL DEFAULT 0,
    closed_at       TEXT,
    deleted_at      TEXT,
    PRIMARY KEY (repo, name)
)
