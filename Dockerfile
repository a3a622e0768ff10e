# syntax=docker/dockerfile:1
# One image for every stage; the command picks it:
#   docker run IMAGE run --stages fetch
# Build from the repository root: docker build -t newsingest:dev .

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# uv, pinned to the version the Makefile bootstraps.
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# --- build: resolve the locked dependencies into /app/.venv -------------------
FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Dependencies first: this layer is reused until uv.lock changes.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --locked --no-dev --no-install-project

# Then the project itself, installed as a regular (non-editable) package so
# that the runtime stage needs nothing but the virtualenv.
COPY pyproject.toml uv.lock README.md ./
COPY services ./services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable

# --- runtime: the interpreter, the virtualenv, a non-root user ---------------
FROM ${PYTHON_IMAGE} AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="newsingest" \
      org.opencontainers.image.description="Streaming news ingest: discover, fetch, extract, clean, classify, publish to Kafka." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/newsingest/newsingest" \
      org.opencontainers.image.licenses="Apache-2.0"

# Fixed ids so that Kubernetes can check runAsNonRoot and set runAsUser.
RUN groupadd --system --gid 10001 newsingest \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin newsingest

# Owned by root and read-only for the service user: code cannot be rewritten.
COPY --from=build /app/.venv /app/.venv

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWSINGEST_API_HOST=0.0.0.0 \
    NEWSINGEST_API_PORT=8080 \
    NEWSINGEST_LOG_FORMAT=json

USER 10001:10001
WORKDIR /app
EXPOSE 8080

# Liveness only (/healthz); readiness is the orchestrator's business (/readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NEWSINGEST_API_PORT', '8080'), timeout=4)"]

# Exec form: newsingest is PID 1 and receives SIGTERM itself to drain.
ENTRYPOINT ["newsingest"]
CMD ["run"]
