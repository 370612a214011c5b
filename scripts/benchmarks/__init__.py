"""Benchmarks: the engine measured beside the raw eventsourcing library and the
database on the same machine and store, each figure the median of several runs
with its ratio to the baseline measured in the same run (`python -m scripts bench`)."""
