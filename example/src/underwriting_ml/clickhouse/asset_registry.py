"""Which underwriting_ml assets are exposed in ClickHouse, and under what view names.

One entry per asset. asset_key is the slash-joined Dagster asset key path, which is
also the Parquet path under {data_dir}/underwriting_ml/.
"""

from shared.clickhouse.bootstrap import AssetRegistryEntry

DB_NAME = "underwriting_ml"

ASSETS: list[AssetRegistryEntry] = [
    AssetRegistryEntry(
        asset_key="applications/raw_applications",
        view_name="raw_applications",
        description="Loan applications as received, latest version per application_id",
    ),
    AssetRegistryEntry(
        asset_key="applications/application_features",
        view_name="application_features",
        description="Model-ready features per application",
    ),
    AssetRegistryEntry(
        asset_key="scoring/risk_scores",
        view_name="risk_scores",
        description="Probability of default per application",
    ),
    AssetRegistryEntry(
        asset_key="scoring/decision_bands",
        view_name="decision_bands",
        description="Approve / refer / decline band per application",
    ),
]
