"""Retrieval and matching: search over the built index, job-title normalisation."""
