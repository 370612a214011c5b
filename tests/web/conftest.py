"""The pages run on the same app as the API: reuse its fixtures."""

from tests.api.conftest import app_engine, client, staff  # noqa: F401
