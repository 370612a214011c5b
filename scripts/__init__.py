"""Tooling that drives the engine from outside: demo seeding (`scripts.demo`), benchmarks
(`scripts.benchmarks`) and reliability drills (`scripts.drills`). Not part of the installed
engine: nothing under engine/, adapters/, projections/, aggregates/ or analytics/ imports it
(import-linter checks this in scripts/test).
"""
