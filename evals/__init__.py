"""Evaluation: datasets, metrics and the runner."""
