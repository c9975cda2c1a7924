-- A sender's own key for each message it sends, so sending again after a lost
-- acknowledgement finds the stored message instead of storing it twice.
ALTER TABLE chat_messages ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX chat_messages_client_key ON chat_messages (author_id, client_key)
    WHERE client_key IS NOT NULL;
