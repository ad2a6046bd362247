"""Margin reporting on top of the raw Vanguard pulls."""

import dagster as dg
import polars as pl


@dg.asset(
    io_manager_key="polars_io_manager",
    group_name="pricing",
    ins={
        "price_sheets": dg.AssetIn(key=["vanguard", "price_sheets"]),
        "orders": dg.AssetIn(key=["vanguard", "orders"]),
    },
    description="Per-order wholesale margin against the active price sheet.",
)
def wholesale_margins(price_sheets: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    return (
        orders.join(price_sheets.select("sku", "unit_cost"), on="sku", how="left")
        .with_columns(
            (pl.col("unit_price") - pl.col("unit_cost")).alias("unit_margin"),
        )
        .with_columns(
            (pl.col("unit_margin") * pl.col("quantity")).alias("order_margin"),
            (pl.col("unit_margin") / pl.col("unit_price")).alias("margin_pct"),
        )
    )
