#!/bin/sh
# Shared entrypoint for every code location image.
#
# Each image sets CODE_LOCATION_NAME (e.g. underwriting_ml). At deploy time the
# per-location secrets are NFS-mounted at
#   /opt/dagster/shared-data/environments/<name>.env
# and exported into the environment before the code server starts.
set -eu

ENV_FILE="/opt/dagster/shared-data/environments/${CODE_LOCATION_NAME}.env"

if [ -f "$ENV_FILE" ]; then
    echo "entrypoint: loading $ENV_FILE"
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
else
    echo "entrypoint: no env file at $ENV_FILE, continuing with image environment"
fi

exec "$@"
