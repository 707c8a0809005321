"""Benchmarks (STYLE.md rule 11): not tests. Each module sets up its own data, prints its
figures beside a baseline measured in the same run, and exits 0 whatever the verdicts.

``python -m bench`` runs all of them; ``python -m bench.feeds`` runs one.
"""
