"""Shared infrastructure for rev-sci-dagster code locations.

This package is not a code location. It must stay importable without dagster
installed, because the ClickHouse bootstrap image ships only ``shared`` plus the
``clickhouse/`` subpackages of the code locations.
"""
