"""Access: the accounts store (users, log-in failures, sessions, cookie offers and the append-only audit log)."""
