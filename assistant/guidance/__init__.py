"""Guidance: profiles, extraction, matching, offers and pathways."""
