/**
 * Phase 1's files, as data: what the package registry creates from its templates, pinning what
 * the canonical location pins.
 */
import type { RunContext } from '../../lib/location-generator.js';
import { getPath, parseToml } from '../../lib/editors/toml.js';

export interface TemplateFile {
  template: string;
  path: string;
  data: Record<string, unknown>;
}

/**
 * `record`: the package generator run on its own writes the short name and port into the new
 * pyproject.toml (`[tool.dagster-location]`): nothing else holds them until the later phases run.
 */
export function packageFiles(ctx: RunContext, canonicalPyproject: string | undefined, record = false): TemplateFile[] {
  const dir = ctx.names.packageDir;
  const data = {
    names: ctx.names,
    description: ctx.description,
    record: record ? { short: ctx.names.short, port: ctx.port } : undefined,
    ...requirementsFrom(ctx, canonicalPyproject),
  };
  return [
    { template: '__init__.py.ejs', path: `${dir}/__init__.py`, data },
    { template: 'pyproject.toml.ejs', path: `${dir}/pyproject.toml`, data },
    { template: 'definitions.py.ejs', path: `${dir}/definitions.py`, data },
    { template: 'assets/__init__.py.ejs', path: `${dir}/assets/__init__.py`, data },
  ];
}

/**
 * The dagster and dagster-polars requirements, requires-python and array indentation of the
 * canonical location's pyproject.toml, so a new location pins what its siblings pin; the
 * conventions (the guide's values) otherwise.
 */
export function requirementsFrom(ctx: RunContext, canonicalPyproject: string | undefined) {
  const conventions = ctx.model.conventions;
  const fallback = {
    requiresPython: conventions.requiresPython,
    dependencies: [conventions.dagsterRequirement, conventions.dagsterPolarsRequirement],
    indent: '    ',
  };
  if (!canonicalPyproject) return fallback;
  const toml = parseToml(canonicalPyproject, `${ctx.model.canonical?.member}/pyproject.toml`);
  const deps = (getPath(toml, ['project', 'dependencies']) as string[] | undefined) ?? [];
  const pick = (name: string, otherwise: string) => deps.find((d) => new RegExp(`^${name}(?![\\w-])`).test(d)) ?? otherwise;
  const indent = /^dependencies\s*=\s*\[\r?\n([ \t]+)/m.exec(canonicalPyproject)?.[1] ?? fallback.indent;
  return {
    requiresPython: (getPath(toml, ['project', 'requires-python']) as string | undefined) ?? fallback.requiresPython,
    dependencies: [pick('dagster', conventions.dagsterRequirement), pick('dagster-polars', conventions.dagsterPolarsRequirement)],
    indent,
  };
}
