"""Create one ClickHouse database per code location, with a view per registered asset.

Code locations opt in by providing ``src/<name>/clickhouse/__init__.py`` with a
``get_bootstrap_config(config)`` function that returns a ``CodeLocationConfig``.
Discovery is automatic; nothing needs registering here.

Runs in the lightweight bootstrap image (no dagster): stdlib, polars and
clickhouse-connect only.

Usage:
    bootstrap-clickhouse                                # every ClickHouse-enabled location
    bootstrap-clickhouse --locations underwriting_ml    # just one
    bootstrap-clickhouse --dry-run                      # print the DDL, touch nothing
"""

import argparse
import importlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared.clickhouse.config import ClickHouseConfig
from shared.clickhouse.view_generator import asset_view_ddl, create_database_ddl

log = logging.getLogger("bootstrap-clickhouse")

# src/shared/clickhouse/bootstrap.py -> src/
SRC_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class AssetRegistryEntry:
    asset_key: str  # slash-joined asset key path, e.g. "scoring/risk_scores"
    view_name: str
    description: str = ""


@dataclass(frozen=True)
class CodeLocationConfig:
    name: str
    db_name: str
    assets: list[AssetRegistryEntry]
    # Receives {location name: database name} for every discovered location so
    # summary views can JOIN across domains with fully-qualified names.
    summary_views_ddl: Callable[[dict[str, str]], list[str]]


def discover_locations(src_dir: Path = SRC_DIR) -> list[str]:
    """Package names under src/ that ship a clickhouse/ subpackage."""
    return sorted(
        init.parent.parent.name
        for init in src_dir.glob("*/clickhouse/__init__.py")
        if init.parent.parent.name != "shared"
    )


def load_location(name: str, config: ClickHouseConfig) -> CodeLocationConfig:
    if str(SRC_DIR) not in sys.path:
        # In the bootstrap image the code locations are copied, not installed.
        sys.path.insert(0, str(SRC_DIR))
    module = importlib.import_module(f"{name}.clickhouse")
    return module.get_bootstrap_config(config)


def build_ddl(
    locations: list[CodeLocationConfig],
    config: ClickHouseConfig,
    db_map: dict[str, str],
) -> list[str]:
    statements: list[str] = []
    for loc in locations:
        statements.append(create_database_ddl(loc.db_name))
        for entry in loc.assets:
            statements.append(
                asset_view_ddl(
                    config,
                    location=loc.name,
                    db_name=loc.db_name,
                    asset_key=entry.asset_key,
                    view_name=entry.view_name,
                    description=entry.description,
                )
            )
    # Summary views last: they may reference views in other locations' databases.
    for loc in locations:
        statements.extend(loc.summary_views_ddl(db_map))
    return statements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bootstrap-clickhouse", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--locations",
        nargs="+",
        metavar="NAME",
        help="code location package names to bootstrap (default: all discovered)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print DDL instead of executing it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    available = discover_locations()
    selected = args.locations or available
    unknown = sorted(set(selected) - set(available))
    if unknown:
        parser.error(f"no clickhouse/ subpackage for: {', '.join(unknown)} (found: {', '.join(available)})")

    config = ClickHouseConfig.from_env()
    # Load every location so db_map is complete even when bootstrapping a subset.
    loaded = {name: load_location(name, config) for name in available}
    db_map = {loc.name: loc.db_name for loc in loaded.values()}
    statements = build_ddl([loaded[name] for name in selected], config, db_map)

    if args.dry_run:
        for stmt in statements:
            print(f"{stmt};")
        return 0

    import clickhouse_connect  # deferred so --dry-run works without a server

    client = clickhouse_connect.get_client(
        host=config.host, port=config.port, username=config.user, password=config.password
    )
    for stmt in statements:
        log.info("%s", stmt.split(" AS ", 1)[0])
        client.command(stmt)
    log.info("bootstrapped %d location(s): %s", len(selected), ", ".join(selected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
