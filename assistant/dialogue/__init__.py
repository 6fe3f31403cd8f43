"""Dialogue layer: conversation handling and the optional LLM."""
