"""The kiosk's local SQLite store: guests, outbox and sync state."""
