"""Synthetic city and outbreak generator.

Builds a reproducible city (admin tree, buildings, households, persons, venues), daily
routines (venue check-ins, phone pings) and a ground-truth outbreak over them, written as
Parquet files that the rest of Fangkong loads for demos, tests and benchmarks.
Entry point: :func:`fangkong.synth.generate.generate_city`.
"""
