"""SQLite history: devices, watch sessions, metadata cache, violations and actions, grants."""
