"""Map Polars dtypes (as written by PolarsParquetIOManager) to ClickHouse column types."""

from pathlib import Path

import polars as pl

_SIMPLE_TYPES: dict[type[pl.DataType], str] = {
    pl.Boolean: "Bool",
    pl.Int8: "Int8",
    pl.Int16: "Int16",
    pl.Int32: "Int32",
    pl.Int64: "Int64",
    pl.UInt8: "UInt8",
    pl.UInt16: "UInt16",
    pl.UInt32: "UInt32",
    pl.UInt64: "UInt64",
    pl.Float32: "Float32",
    pl.Float64: "Float64",
    pl.String: "String",
    pl.Categorical: "LowCardinality(String)",
    pl.Date: "Date32",
    pl.Time: "String",
}


def polars_to_clickhouse(dtype: pl.DataType) -> str:
    """Return the ClickHouse type for a Polars dtype. Every column is Nullable,
    because Parquet columns written by Polars are nullable by default."""
    if isinstance(dtype, pl.Datetime):
        tz = f", '{dtype.time_zone}'" if dtype.time_zone else ""
        return f"Nullable(DateTime64(6{tz}))"
    if isinstance(dtype, pl.Decimal):
        return f"Nullable(Decimal({dtype.precision or 38}, {dtype.scale or 0}))"
    if isinstance(dtype, pl.List):
        # Arrays cannot be Nullable in ClickHouse; wrap the inner type instead.
        return f"Array({polars_to_clickhouse(dtype.inner)})"
    base = _SIMPLE_TYPES.get(dtype.base_type())
    if base is None:
        raise TypeError(f"No ClickHouse mapping for Polars dtype {dtype!r}")
    return f"Nullable({base})"


def structure_for(parquet_path: Path) -> str | None:
    """Column structure string for ClickHouse's file()/s3() table functions.

    Returns None when the Parquet file has not been materialized yet, in which
    case ClickHouse falls back to schema inference.
    """
    if not parquet_path.exists():
        return None
    schema = pl.read_parquet_schema(parquet_path)
    return ", ".join(f"`{name}` {polars_to_clickhouse(dtype)}" for name, dtype in schema.items())
