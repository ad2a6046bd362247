# syntax=docker/dockerfile:1.7
# gRPC code server for the underwriting_ml code location (port 4001).
# Build from the repo root:  docker buildx bake dagster-underwriting-ml

# ---------------------------------------------------------------------------
# Builder: resolve and install only underwriting-ml's dependency tree
# ---------------------------------------------------------------------------
FROM ghcr.io/astral-sh/uv:python3.13-bookworm-slim AS builder

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=0

WORKDIR /opt/dagster/app

COPY pyproject.toml uv.lock ./

# uv validates the whole workspace during `uv sync --frozen`, so every member's
# pyproject.toml must be present even though only one package is installed.
COPY src/shared/pyproject.toml ./src/shared/pyproject.toml
COPY src/vanguard_wholesale/pyproject.toml ./src/vanguard_wholesale/pyproject.toml
COPY src/underwriting_ml/pyproject.toml ./src/underwriting_ml/pyproject.toml

# Third-party dependencies only: this layer is reused until uv.lock changes.
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-install-workspace --package underwriting-ml

COPY src/shared ./src/shared
COPY src/underwriting_ml ./src/underwriting_ml

RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --package underwriting-ml

# ---------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------
FROM python:3.13-slim-bookworm

WORKDIR /opt/dagster/app

COPY --from=builder /opt/dagster/app /opt/dagster/app
COPY entrypoint.code-location.sh /usr/local/bin/
RUN chmod +x /usr/local/bin/entrypoint.code-location.sh

# The shared entrypoint sources /opt/dagster/shared-data/environments/${CODE_LOCATION_NAME}.env
ENV CODE_LOCATION_NAME=underwriting_ml
ENV PATH="/opt/dagster/app/.venv/bin:$PATH"
ENV PYTHONPATH=/opt/dagster/app/src

EXPOSE 4001

ENTRYPOINT ["/usr/local/bin/entrypoint.code-location.sh"]
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4001", "-f", "src/underwriting_ml/definitions.py"]
