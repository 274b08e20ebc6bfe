"""Ingest: load -> clean -> chunk -> embed -> write, one transaction per source file."""
