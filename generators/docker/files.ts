/**
 * The data of phase 4's Dockerfile template (templates/Dockerfile.ejs), the location Dockerfile
 * registry's fallback when there is no canonical Dockerfile to copy.
 */
import type { Conventions } from '../../lib/conventions.js';
import type { Location } from '../../lib/monorepo.js';
import type { LocationNames } from '../../lib/naming.js';

/** The members whose pyproject.toml every Dockerfile that runs `uv sync --frozen` copies. */
export function stubMembers(memberDirs: string[], names: LocationNames): string[] {
  return [...new Set([...memberDirs, names.snake])];
}

/** Data for templates/Dockerfile.ejs, the fallback when there is no canonical Dockerfile. */
export function dockerfileTemplateData(
  names: LocationNames,
  port: number,
  model: { memberDirs: string[]; locations: Location[]; conventions: Conventions },
  entrypoint: boolean,
) {
  const python = /(\d+\.\d+)/.exec(model.conventions.requiresPython)?.[1] ?? '3.13';
  const locations = new Set([...model.locations.map((l) => l.names.snake), names.snake]);
  // The members that are not code locations (`shared`): every location's image installs them.
  const libraries = model.memberDirs.filter((member) => !locations.has(member));
  return { names, port, members: stubMembers(model.memberDirs, names), libraries, python, entrypoint };
}
