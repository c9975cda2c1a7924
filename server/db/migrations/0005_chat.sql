-- Live conversation: branch chat and discussion threads share one message table,
-- keyed by the room they belong to. All app-canonical: they outlive branches.

CREATE TABLE threads (
    id               INTEGER PRIMARY KEY,
    rfc_slug         TEXT NOT NULL,
    title            TEXT NOT NULL,
    author_id        INTEGER NOT NULL REFERENCES users(id),
    created_at       TEXT NOT NULL,
    last_message_at  TEXT NOT NULL
);
CREATE INDEX threads_rfc ON threads (rfc_slug, last_message_at);

CREATE TABLE chat_messages (
    id          INTEGER PRIMARY KEY,
    room        TEXT NOT NULL,
    rfc_slug    TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    mentions    TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    edited_at   TEXT,
    deleted_at  TEXT
);
CREATE INDEX chat_messages_room ON chat_messages (room, id);
CREATE INDEX chat_messages_rfc ON chat_messages (rfc_slug, id);

-- Each person's read cursor per room: the last message id they have seen.
CREATE TABLE chat_cursors (
    user_id       INTEGER NOT NULL REFERENCES users(id),
    room          TEXT NOT NULL,
    last_seen_id  INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, room)
)
