"""Operator console services: uploads and their validation, imports, index refresh and versions (no HTTP here)."""
