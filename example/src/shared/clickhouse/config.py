"""Connection settings for the ClickHouse instance that serves Dagster's Parquet assets."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ClickHouseConfig:
    host: str = "localhost"
    port: int = 8123
    user: str = "default"
    password: str = ""
    # Where the Parquet files written by the code locations are visible to the
    # ClickHouse server (its user_files mount of the shared NFS volume).
    parquet_root: str = "/var/lib/clickhouse/user_files/dagster"
    # Where the same files are visible to the bootstrap process itself; used to
    # read Parquet schemas so views get explicit column types.
    local_data_dir: str = "/opt/dagster/shared-data"

    @classmethod
    def from_env(cls) -> "ClickHouseConfig":
        """Build a config from CLICKHOUSE_* environment variables."""
        return cls(
            host=os.environ.get("CLICKHOUSE_HOST", cls.host),
            port=int(os.environ.get("CLICKHOUSE_PORT", str(cls.port))),
            user=os.environ.get("CLICKHOUSE_USER", cls.user),
            password=os.environ.get("CLICKHOUSE_PASSWORD", cls.password),
        )
