"""Generate ClickHouse DDL exposing each registered Parquet asset as a view."""

from pathlib import Path

from shared.clickhouse.config import ClickHouseConfig
from shared.clickhouse.schema_mapper import structure_for


def create_database_ddl(db_name: str) -> str:
    return f"CREATE DATABASE IF NOT EXISTS `{db_name}`"


def asset_view_ddl(
    config: ClickHouseConfig,
    location: str,
    db_name: str,
    asset_key: str,
    view_name: str,
    description: str = "",
) -> str:
    """CREATE OR REPLACE VIEW over the asset's Parquet file.

    PolarsParquetIOManager writes to ``{base_dir}/{asset/key/path}.parquet`` and each
    location's base_dir is ``{data_dir}/<location>``, so ``asset_key`` is the
    slash-joined asset key path.
    """
    relative = f"{location}/{asset_key}.parquet"
    server_path = f"{config.parquet_root}/{relative}"
    structure = structure_for(Path(config.local_data_dir) / relative)
    args = f"'{server_path}', 'Parquet'"
    if structure:
        escaped = structure.replace("'", "\\'")
        args += f", '{escaped}'"
    comment = description.replace("'", "\\'")
    return (
        f"CREATE OR REPLACE VIEW `{db_name}`.`{view_name}` AS "
        f"SELECT * FROM file({args})"
        + (f" COMMENT '{comment}'" if comment else "")
    )
