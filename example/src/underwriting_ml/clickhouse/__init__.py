"""ClickHouse bootstrap hooks for underwriting_ml.

This subpackage is copied into the bootstrap image, which has no dagster:
import only from the stdlib, polars and shared.
"""

from shared.clickhouse.bootstrap import CodeLocationConfig
from shared.clickhouse.config import ClickHouseConfig

from underwriting_ml.clickhouse import asset_registry
from underwriting_ml.clickhouse.summary_views import get_summary_views_ddl


def get_bootstrap_config(config: ClickHouseConfig) -> CodeLocationConfig:
    # `config` is unused for now; kept so per-environment overrides have a hook.
    return CodeLocationConfig(
        name="underwriting_ml",
        db_name=asset_registry.DB_NAME,
        assets=asset_registry.ASSETS,
        summary_views_ddl=get_summary_views_ddl,
    )
