"""The HTTP API (FastAPI): thin routes over the engine's commands and reads."""
