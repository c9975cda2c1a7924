-- Editing super-drafts: who started each edit branch, per-RFC maintainers, and
-- the branch facts the RFC page shows.

ALTER TABLE cached_branches ADD COLUMN kind TEXT NOT NULL DEFAULT 'edit';
ALTER TABLE cached_branches ADD COLUMN last_commit_author TEXT NOT NULL DEFAULT '';
CREATE INDEX cached_branches_rfc ON cached_branches (rfc_slug, state);

-- App-canonical: who started an edit branch (they may write to it).
CREATE TABLE branch_creators (
    repo        TEXT NOT NULL,
    branch      TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (repo, branch)
);

-- App-canonical: maintainers of one RFC (may write any of its branches and merge).
CREATE TABLE rfc_maintainers (
    slug        TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    granted_by  INTEGER REFERENCES users(id),
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (slug, user_id)
)
