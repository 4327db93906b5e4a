"""Benchmarks: commands that print numbers (``--json``: one JSON object)."""
