"""Risk scores and the decision bands underwriters work from."""

import dagster as dg
import polars as pl
from sklearn.linear_model import LogisticRegression

FEATURES = ["debt_to_income", "loan_to_income", "months_at_employer", "prior_defaults"]

# Score thresholds agreed with the credit policy team (2025-Q3 review).
APPROVE_BELOW = 0.08
DECLINE_ABOVE = 0.25


@dg.asset(
    key_prefix="scoring",
    io_manager_key="polars_io_manager",
    group_name="scoring",
    ins={"application_features": dg.AssetIn(key=["applications", "application_features"])},
    description="Probability of default per application from a logistic regression refit on matured loans.",
)
def risk_scores(context: dg.AssetExecutionContext, application_features: pl.DataFrame) -> pl.DataFrame:
    features = application_features.with_columns(pl.col(FEATURES).fill_null(0.0))
    matured = features.filter(pl.col("defaulted").is_not_null())
    model = LogisticRegression(max_iter=1000)
    model.fit(matured.select(FEATURES).to_numpy(), matured["defaulted"].to_numpy())
    context.add_output_metadata({"training_rows": matured.height})
    return features.select("application_id", "received_at").with_columns(
        pl.Series("risk_score", model.predict_proba(features.select(FEATURES).to_numpy())[:, 1]),
        pl.lit(context.run.run_id).alias("scoring_run_id"),
    )


@dg.asset(
    key_prefix="scoring",
    name="decision_bands",
    io_manager_key="polars_io_manager",
    group_name="scoring",
    ins={"risk_scores": dg.AssetIn(key=["scoring", "risk_scores"])},
    description="Approve / refer / decline band per application.",
)
def assign_decision_bands(risk_scores: pl.DataFrame) -> pl.DataFrame:
    return risk_scores.with_columns(
        pl.when(pl.col("risk_score") < APPROVE_BELOW)
        .then(pl.lit("approve"))
        .when(pl.col("risk_score") > DECLINE_ABOVE)
        .then(pl.lit("decline"))
        .otherwise(pl.lit("refer"))
        .alias("decision_band")
    )
