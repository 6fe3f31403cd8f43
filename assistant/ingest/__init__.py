"""Importers: parse knowledge sources into plain records, then sync them into the store."""
