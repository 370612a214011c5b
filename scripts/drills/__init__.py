"""Reliability drills: each runs a hostile scenario against the engine and checks
what clients were told against the event store, the read models and Kafka.

The test suite (`tests/reliability/`) runs them small; `scripts/drill` runs them
longer and prints the report.
"""
