# The engine image: slim Python, installed from pyproject.toml, run as a non-root user.
# One image for every role; compose.yaml picks the command (serve, project, relay; the demo service runs the seeding).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 qi
WORKDIR /app
COPY pyproject.toml README.md ./
COPY aggregates ./aggregates
COPY engine ./engine
COPY projections ./projections
COPY analytics ./analytics
COPY adapters ./adapters
# Installed as anyone installing the package gets it: not editable, no extras (the templates
# and static files travel as package data); tests/test_production_install.py builds the
# wheel from these same copied sources. The copies are then removed so only the installed
# package runs. var/ holds the SQLite store when QI_STORE is left at its default.
RUN pip install . \
    && rm -rf aggregates engine projections analytics adapters build *.egg-info \
    && mkdir -p var && chown qi:qi var
# The demo seeding is tooling, not part of the installed engine: kept beside it for the
# compose.yaml demo service (`python -m scripts demo`).
COPY scripts/__init__.py scripts/__main__.py ./scripts/
COPY scripts/demo ./scripts/demo
USER qi
EXPOSE 8000
ENTRYPOINT ["qi"]
CMD ["info"]
