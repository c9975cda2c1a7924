"""The Gitea backend of the forge port: its REST API over httpx, webhooks for events."""
