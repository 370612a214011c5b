"""The application layer: command handling, persistence wiring, settings, CLI."""
