-- The admin home base: why a user is suspended, and indexes for audit filters.

ALTER TABLE users ADD COLUMN suspended_reason TEXT;
CREATE INDEX audit_log_kind ON audit_log (kind, id);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, id);
CREATE INDEX permission_events_subject ON permission_events (subject_user_id, id)
