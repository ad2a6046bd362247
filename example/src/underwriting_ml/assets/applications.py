"""Loan applications landed by the origination platform, and the features derived from them."""

import dagster as dg
import polars as pl

# Nightly Parquet drop from the origination platform (shared NFS volume).
LANDING_GLOB = "/opt/dagster/shared-data/landing/underwriting_ml/applications/*.parquet"


class RawApplicationsConfig(dg.Config):
    source_glob: str = LANDING_GLOB


@dg.asset(
    key_prefix="applications",
    io_manager_key="polars_io_manager",
    group_name="applications",
    description="Loan applications as received, one row per application_id (latest version wins).",
)
def raw_applications(context: dg.AssetExecutionContext, config: RawApplicationsConfig) -> pl.DataFrame:
    df = (
        pl.scan_parquet(config.source_glob)
        .sort("received_at")
        .unique(subset="application_id", keep="last")
        .collect()
    )
    context.add_output_metadata({"rows": df.height})
    return df


@dg.asset(
    key_prefix="applications",
    io_manager_key="polars_io_manager",
    group_name="applications",
    ins={"raw_applications": dg.AssetIn(key=["applications", "raw_applications"])},
    description="Model-ready features per application.",
)
def application_features(raw_applications: pl.DataFrame) -> pl.DataFrame:
    return raw_applications.select(
        "application_id",
        "received_at",
        pl.col("requested_amount").cast(pl.Float64),
        (pl.col("monthly_debt") / pl.col("monthly_income")).alias("debt_to_income"),
        (pl.col("requested_amount") / pl.col("annual_income")).alias("loan_to_income"),
        pl.col("months_at_employer").fill_null(0),
        pl.col("prior_defaults").fill_null(0),
        pl.col("defaulted"),  # label; null until the loan has matured
    )
