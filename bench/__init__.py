"""Benchmarks of newsingest: `python -m bench [--quick]` runs them all (see README.md)."""
