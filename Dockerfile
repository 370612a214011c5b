# The engine image: slim Python, installed from pyproject.toml, run as a non-root user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY aggregates ./aggregates
COPY engine ./engine
COPY projections ./projections
COPY adapters ./adapters
RUN pip install . && useradd --create-home --uid 10001 qi
USER qi
ENTRYPOINT ["qi"]
CMD ["info"]
