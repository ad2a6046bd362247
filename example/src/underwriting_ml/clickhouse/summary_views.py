"""Summary views built on top of the per-asset views in the underwriting_ml database."""

from textwrap import dedent


def get_summary_views_ddl(db_map: dict[str, str]) -> list[str]:
    """DDL for summary views. db_map maps location name -> ClickHouse database."""
    db = db_map["underwriting_ml"]
    statements = [
        f"""
        CREATE OR REPLACE VIEW `{db}`.`daily_decision_summary` AS
        SELECT
            toDate(received_at)                     AS received_date,
            decision_band,
            count()                                 AS applications,
            round(avg(risk_score), 4)               AS avg_risk_score
        FROM `{db}`.`decision_bands`
        GROUP BY received_date, decision_band
        """,
        f"""
        CREATE OR REPLACE VIEW `{db}`.`score_drift_weekly` AS
        SELECT
            toStartOfWeek(received_at)              AS week,
            quantileExact(0.5)(risk_score)          AS median_risk_score,
            quantileExact(0.9)(risk_score)          AS p90_risk_score,
            count()                                 AS applications
        FROM `{db}`.`risk_scores`
        GROUP BY week
        """,
    ]
    return [dedent(stmt).strip() for stmt in statements]
