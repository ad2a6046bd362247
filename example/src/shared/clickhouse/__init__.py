"""ClickHouse helpers shared by every code location (dagster-free)."""

from shared.clickhouse.config import ClickHouseConfig

__all__ = ["ClickHouseConfig"]
