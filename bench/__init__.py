"""Benchmarks that print figures against their limits: ``python -m bench`` (``make bench``)."""
