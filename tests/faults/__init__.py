"""Fault tests: killed builds, restarted servers, an unreachable store, a full disk."""
