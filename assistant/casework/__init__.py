"""Casework for the counsellor console: find sessions, review suggestions, edit skills, notes, plans, handovers."""
