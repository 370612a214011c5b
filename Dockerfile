# The engine image: slim Python, installed from pyproject.toml, run as a non-root user.
# One image for every role; compose.yaml picks the command (serve, project, relay, demo).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 qi
WORKDIR /app
COPY pyproject.toml README.md ./
COPY aggregates ./aggregates
COPY engine ./engine
COPY projections ./projections
COPY adapters ./adapters
# Editable, so templates and static files are read from /app beside the code; var/ holds
# the SQLite store when QI_STORE is left at its default.
RUN pip install -e . && mkdir -p var && chown qi:qi var
USER qi
EXPOSE 8000
ENTRYPOINT ["qi"]
CMD ["info"]
