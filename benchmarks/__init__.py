"""Benchmarks and the fleet simulator (BENCHMARKS.md). Not part of ``make test``: ``make bench``."""
