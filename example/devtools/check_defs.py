"""Validate the Dagster definitions of every code location.

Code locations are discovered by scanning src/*/definitions.py; nothing needs
registering here. Each location is validated in its own subprocess so one
location's import side effects cannot mask another's errors.

Usage:
    uv run check-defs                          # every location
    uv run check-defs --only underwriting_ml   # full package name
    uv run check-defs --only underwriting      # short alias (optional, see below)
"""

import argparse
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = REPO_ROOT / "src"

# Optional short names for --only. Full package names always work.
LOCATION_ALIASES: dict[str, str] = {
    "wholesale": "vanguard_wholesale",
    "underwriting": "underwriting_ml",
}


def discover_locations() -> list[str]:
    return sorted(path.parent.name for path in SRC_DIR.glob("*/definitions.py"))


def resolve_location(name: str) -> str:
    return LOCATION_ALIASES.get(name, name)


def check_location(name: str) -> bool:
    definitions = SRC_DIR / name / "definitions.py"
    print(f"==> {name} ({definitions.relative_to(REPO_ROOT)})", flush=True)
    result = subprocess.run(
        ["dagster", "definitions", "validate", "-f", str(definitions)],
        cwd=REPO_ROOT,
        check=False,
    )
    return result.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check-defs", description="Validate code location definitions.")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="validate only this location (package name or alias); repeatable",
    )
    args = parser.parse_args(argv)

    available = discover_locations()
    selected = [resolve_location(name) for name in args.only] if args.only else available
    unknown = [name for name in selected if name not in available]
    if unknown:
        parser.error(f"unknown location(s): {', '.join(unknown)}; available: {', '.join(available)}")

    failed = [name for name in selected if not check_location(name)]
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nOK: {len(selected)} location(s) validated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
