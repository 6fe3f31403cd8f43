"""Console accounts: passwords, users, login sessions, CSRF tokens, the audit log and the login service (no FastAPI)."""
