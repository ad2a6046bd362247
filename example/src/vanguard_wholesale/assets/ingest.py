"""Raw pulls from the Vanguard wholesale partner API."""

import os

import dagster as dg
import httpx
import polars as pl


def _vanguard_client() -> httpx.Client:
    # VANGUARD_API_BASE_URL / VANGUARD_API_KEY come from
    # /opt/dagster/shared-data/environments/vanguard_wholesale.env at runtime.
    return httpx.Client(
        base_url=os.environ["VANGUARD_API_BASE_URL"],
        headers={"Authorization": f"Bearer {os.environ['VANGUARD_API_KEY']}"},
        timeout=httpx.Timeout(30.0, connect=10.0),
    )


def _fetch_all(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> list[dict]:
    """Follow the API's cursor pagination until exhausted."""
    items: list[dict] = []
    query = dict(params or {})
    while True:
        response = client.get(path, params=query)
        response.raise_for_status()
        body = response.json()
        items.extend(body["items"])
        if not body.get("next_cursor"):
            return items
        query["cursor"] = body["next_cursor"]


@dg.asset(
    key_prefix="vanguard",
    io_manager_key="polars_io_manager",
    group_name="ingest",
    description="Currently active Vanguard wholesale price sheets, one row per SKU.",
)
def price_sheets(context: dg.AssetExecutionContext) -> pl.DataFrame:
    with _vanguard_client() as client:
        df = pl.DataFrame(_fetch_all(client, "/v2/price-sheets", {"status": "active"}))
    context.add_output_metadata({"skus": df.height})
    return df


@dg.asset(
    key_prefix="vanguard",
    io_manager_key="polars_io_manager",
    group_name="ingest",
    description="Wholesale orders placed through Vanguard in the last 90 days.",
)
def orders(context: dg.AssetExecutionContext) -> pl.DataFrame:
    with _vanguard_client() as client:
        df = pl.DataFrame(_fetch_all(client, "/v2/orders", {"since_days": "90"}))
    context.add_output_metadata({"orders": df.height})
    return df.with_columns(pl.col("ordered_at").str.to_datetime(time_zone="UTC"))
