"""The domain of a QI collaborative: aggregates, their events and rules.

Pure Python: imports only the standard library, pydantic and eventsourcing.domain.
"""
