import os
from pathlib import Path

import dagster as dg
from dagster_polars import PolarsParquetIOManager

import underwriting_ml.assets


def get_data_dir() -> str:
    if Path("/.dockerenv").exists():
        return "/opt/dagster/shared-data"
    else:
        project_root = Path(__file__).parent.parent.parent
        return str(project_root / "tmp" / "dagster_data")


@dg.definitions
def defs() -> dg.Definitions:
    data_dir = get_data_dir()
    return dg.Definitions(
        resources={
            "polars_io_manager": PolarsParquetIOManager(
                base_dir=f"{data_dir}/underwriting_ml"
            ),
        },
        assets=dg.load_assets_from_package_module(
            underwriting_ml.assets,
        ),
    )
