"""2. The HTTP stack's own ceiling: the same FastAPI set-up (orjson responses, error
handlers, the API's middleware) served by the same uvicorn options and worker count as
`qi serve`, with two routes that do no work. A GET answers the dashboard's bytes, taken
once from the benchmark's own server (the ceiling for reads); a POST validates the write
benchmark's body with the write route's own pydantic model (the ceiling for writes).

`python -m scripts.benchmarks.bare --port P --workers N` serves it; QI_BENCH_BODY names
the file holding the dashboard's bytes. The HTTP benchmark starts it (scripts/benchmarks/http.py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from uuid import UUID

from fastapi import FastAPI, Response

from adapters.http.errors import install_error_handlers
from adapters.http.limits import BodySizeLimit, RefuseNulInUrl
from adapters.http.responses import OrjsonResponse
from adapters.http.routers.teams import SubmitDataBody
from adapters.http.server import serve
from adapters.web.headers import PageHeaders
from engine.settings import Settings

BODY_FILE = "QI_BENCH_BODY"
ACCEPTED = b'{"accepted": true}'
FACTORY = "scripts.benchmarks.bare:app_from_env"


def bare_app(dashboard_bytes: bytes) -> FastAPI:
    """The API's framework set-up with a no-work GET (these bytes) and a validate-only POST."""
    app = FastAPI(title="bare endpoints", default_response_class=OrjsonResponse)
    install_error_handlers(app)
    # The middleware of adapters.app, in its order: every API request passes through them.
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RefuseNulInUrl)
    app.add_middleware(PageHeaders)

    # Plain `def`, as the real routes are: FastAPI runs them on its thread pool, a hop
    # every real request pays too.
    @app.get("/collaboratives/{collaborative_id}/dashboard")
    def dashboard(collaborative_id: UUID) -> Response:
        """The dashboard's bytes, serialised once beforehand."""
        return Response(dashboard_bytes, media_type="application/json")

    @app.post("/teams/{team_id}/measures/{measure_key}/data")
    def submit_data(team_id: UUID, measure_key: str, body: SubmitDataBody) -> Response:
        """Validate the body as the write route does, and answer without running it."""
        return Response(ACCEPTED, media_type="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        """Up."""
        return Response(ACCEPTED, media_type="application/json")

    return app


def app_from_env() -> FastAPI:
    """The bare app over the dashboard bytes in QI_BENCH_BODY: what each worker process calls."""
    return bare_app(Path(os.environ[BODY_FILE]).read_bytes())


def main() -> None:
    """Serve the bare app as `qi serve` serves the API: adapters.http.server.serve, same settings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    settings = Settings()
    app = app_from_env() if args.workers == 1 else FACTORY
    serve(app, settings, "127.0.0.1", args.port, args.workers)


if __name__ == "__main__":
    main()
