"""`python -m adapters.cli` is `qi`."""

from adapters.cli import app

app()
