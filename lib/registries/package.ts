/**
 * The location package, `src/<name>/` (phase 1): `__init__.py`, `pyproject.toml` (pinning what the
 * canonical pins), `definitions.py` and `assets/__init__.py`, from the package templates. Its
 * footprint is the folder; files that exist are never overwritten.
 */
import { readFileSync } from 'node:fs';
import ejs from 'ejs';
import type { RunContext } from '../location-generator.js';
import { packageFiles } from '../../generators/package/files.js';
import { auditedLocations } from './common.js';
import type { AddInput, Registry } from './registry.js';

const TEMPLATES = new URL('../../generators/package/templates/', import.meta.url);

function filesFor(input: AddInput) {
  const { model, read, target, description, clickhouse } = input;
  const context = { model, names: target.names, port: target.port, description, clickhouse } as unknown as RunContext;
  const canonical = model.canonical && model.canonical.names.snake !== target.names.snake ? read(`${model.canonical.member}/pyproject.toml`) : undefined;
  return packageFiles(context, canonical);
}

export const packageRegistry: Registry = {
  id: 'package',
  phase: 'package',
  files: (input, location) =>
    location
      ? ['__init__.py', 'pyproject.toml', 'definitions.py', 'assets/__init__.py'].map((f) => `${location.names.packageDir}/${f}`)
      : auditedLocations(input).map((l) => `${l.names.packageDir}/pyproject.toml`),

  footprint: (text, file) => [{ key: 'file', what: file, start: 0, end: text.length, line: 1 }],

  add(text, file, input) {
    if (text !== undefined) return { text, warnings: [], leftOut: [] };
    const spec = filesFor(input).find((f) => f.path === file);
    if (!spec) return { text: '', noFile: true, warnings: [], leftOut: [] };
    return { text: ejs.render(readFileSync(new URL(spec.template, TEMPLATES), 'utf8'), spec.data), warnings: [], leftOut: [] };
  },

  audit(text, file, input) {
    const location = auditedLocations(input).find((l) => `${l.names.packageDir}/pyproject.toml` === file);
    if (text !== undefined || !location) return [];
    return [
      {
        registry: 'package',
        file,
        location: location.names.snake,
        problem: `${location.names.snake} has no pyproject.toml of its own`,
        fix: `dagster-location package ${location.names.snake} (or dagster-location doctor --fix)`,
        fixable: true,
      },
    ];
  },

  remove: () => undefined,
};
