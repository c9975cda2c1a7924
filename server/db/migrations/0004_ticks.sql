-- Ticks: the lease that lets one process run the periodic jobs, and each job's
-- last run, and the branch marks the hygiene sweep and the owner decide.

-- Who runs the periodic jobs. Taken and renewed with one upsert inside
-- BEGIN IMMEDIATE, and `epoch` grows each time the lease changes hands.
CREATE TABLE tick_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    epoch       INTEGER NOT NULL DEFAULT 1
);

-- Each job's last run and when it is due next, so a new leader does not repeat
-- a job early (nor postpone it forever across frequent restarts).
CREATE TABLE tick_jobs (
    name              TEXT PRIMARY KEY,
    last_started_at   TEXT,
    last_finished_at  TEXT,
    last_outcome      TEXT CHECK (last_outcome IN ('ok', 'failed', 'unavailable')),
    last_error        TEXT NOT NULL DEFAULT '',
    last_holder       TEXT NOT NULL DEFAULT '',
    next_due_at       TEXT NOT NULL
);

-- App-canonical: what the app decided about a branch that the forge does not
-- know: pinned by the owner or an admin (hygiene skips it), or closed for
-- idleness by the hygiene sweep. cached_branches mirrors both, and a cache
-- rebuilt from the forge takes them from here.
CREATE TABLE branch_marks (
    repo        TEXT NOT NULL,
    branch      TEXT NOT NULL,
    pinned      INTEGER NOT NULL DEFAULT 0,
    pinned_by   INTEGER REFERENCES users(id),
    pinned_at   TEXT,
    closed_at   TEXT,
    PRIMARY KEY (repo, branch)
);

-- Keep what earlier builds recorded only in the cache.
INSERT INTO branch_marks (repo, branch, pinned, closed_at)
    SELECT repo, name, pinned, CASE WHEN state = 'closed' THEN closed_at END
    FROM cached_branches WHERE pinned = 1 OR state = 'closed'
