"""Benchmarks: ronghe against the floor and a pandas + openpyxl script (``make bench``).

See ``docs/performance.md`` for the method and the latest results.
"""
