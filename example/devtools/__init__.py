"""Developer tooling for the rev-sci-dagster monorepo (exposed as uv run scripts)."""
