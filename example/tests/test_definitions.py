"""Every code location's definitions load, and the ClickHouse registry matches the assets."""

import dagster as dg
import pytest

from underwriting_ml.clickhouse import asset_registry as underwriting_registry
from underwriting_ml.definitions import defs as underwriting_ml_defs
from vanguard_wholesale.definitions import defs as vanguard_wholesale_defs

ALL_DEFS = {
    "vanguard_wholesale": vanguard_wholesale_defs,
    "underwriting_ml": underwriting_ml_defs,
}


@pytest.mark.parametrize("location", sorted(ALL_DEFS))
def test_definitions_load(location: str) -> None:
    defs = ALL_DEFS[location]()
    assert isinstance(defs, dg.Definitions)
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_asset_graph().get_all_asset_keys(), f"{location} defines no assets"


def test_underwriting_clickhouse_registry_matches_assets() -> None:
    asset_keys = {
        key.to_user_string() for key in underwriting_ml_defs().resolve_asset_graph().get_all_asset_keys()
    }
    registered = {entry.asset_key for entry in underwriting_registry.ASSETS}
    assert registered == asset_keys
