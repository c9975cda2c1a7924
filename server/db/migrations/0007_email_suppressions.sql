-- Addresses no email may go to: after a bounce or complaint (the email loop) or at
-- an admin's word. Kept by address, since a bounce is about the address, and
-- backed up with the rest of the app's own records.
CREATE TABLE email_suppressions (
    address TEXT PRIMARY KEY COLLATE NOCASE,
    reason TEXT NOT NULL CHECK (reason IN ('bounce', 'complaint', 'admin')),
    details TEXT NOT NULL DEFAULT '',
    suppressed_at TEXT NOT NULL,
    suppressed_by INTEGER REFERENCES users (id)
);
