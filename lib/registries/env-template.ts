/**
 * The location's env template, `<environments>/<name>.env.template` (phase 7): the variables every
 * sibling template declares (empty), the ClickHouse ones when wanted, and a header in the
 * siblings' form: when every existing template opens with the same comment block (names aside),
 * the canonical's, renamed; otherwise the guide's.
 */
import { envKeys } from '../editors/env.js';
import { splitLines } from '../editors/text.js';
import { clickhouseEnvKeys } from '../../generators/clickhouse/files.js';
import { envTemplatePath, envTemplateText } from '../../generators/env/files.js';
import { auditedLocations, refsOf } from './common.js';
import { normalize, renameMentions } from './mentions.js';
import { ownParts } from './footprint.js';
import type { LeftOut, LocationRef, Registry, RegistryInput } from './registry.js';

const pathOf = (input: RegistryInput, location: LocationRef) => envTemplatePath(input.model.conventions.files.environments, location.names.snake);

/** The comment lines a template opens with (up to the first line that is not a comment). */
export function templateHeader(text: string): string[] {
  const lines = splitLines(text);
  const end = lines.findIndex((line) => !/^\s*#/.test(line));
  return lines.slice(0, end === -1 ? lines.length : end);
}

/** The existing templates, the source's first. */
function siblings(input: RegistryInput, source: LocationRef, target: LocationRef): Array<{ location: LocationRef; path: string; text: string }> {
  return refsOf(input.model)
    .filter((l) => l.names.snake !== target.names.snake)
    .sort((a, b) => Number(b.names.snake === source.names.snake) - Number(a.names.snake === source.names.snake))
    .map((location) => ({ location, path: pathOf(input, location), text: input.read(pathOf(input, location)) }))
    .filter((t): t is { location: LocationRef; path: string; text: string } => t.text !== undefined);
}

export const envTemplateRegistry: Registry = {
  id: 'env',
  phase: 'env',
  files: (input, location) => (location ? [pathOf(input, location)] : auditedLocations(input).map((l) => pathOf(input, l))),

  footprint: (text, file) => [{ key: 'file', what: file, start: 0, end: text.length, line: 1 }],

  add(text, _file, input) {
    if (text !== undefined) return { text, warnings: [], leftOut: [] };
    const { target, source, read, model } = input;
    const templates = siblings(input, source, target);
    const withClickhouse = templates.find((t) => envKeys(t.text).some((k) => k.startsWith('CLICKHOUSE_')));
    const shared = model.members.find((m) => m.endsWith('/shared')) ?? 'src/shared';
    const clickhouse = input.clickhouse ? clickhouseEnvKeys(withClickhouse?.text, read(`${shared}/clickhouse/config.py`)) : undefined;
    let result = envTemplateText({ names: target.names, templates: templates.map(({ path, text: t }) => ({ path, text: t })), clickhouse });
    const headers = templates.map((t) => templateHeader(t.text).map((line) => normalize(line, t.location)).join('\n'));
    if (templates.length >= 2 && headers.every((h) => h === headers[0]) && headers[0] !== '') {
      const eol = result.includes('\r\n') ? '\r\n' : '\n';
      const own = templateHeader(result);
      const header = templateHeader(templates[0].text).map((line) => renameMentions(line, templates[0].location, target));
      result = [...header, ...splitLines(result).slice(own.length)].join(eol) + eol;
    }
    return { text: result, warnings: [], leftOut: ownVariables(templates, source, result) };
  },

  audit(text, file, input) {
    const location = auditedLocations(input).find((l) => pathOf(input, l) === file);
    if (text !== undefined || !location) return [];
    return [
      {
        registry: 'env',
        file,
        location: location.names.snake,
        problem: `${location.names.snake} has no env template ${file}`,
        fix: `dagster-location env ${location.names.snake} (or dagster-location doctor --fix)`,
        fixable: true,
      },
    ];
  },

  remove: () => undefined,
};

/**
 * The variables only the canonical's template declares (no sibling template does), which the new
 * template does not get: listed, with their line, for a reviewer to add back on purpose.
 */
function ownVariables(templates: Array<{ location: LocationRef; path: string; text: string }>, source: LocationRef, result: string): LeftOut[] {
  const canonical = templates.find((t) => t.location.names.snake === source.names.snake);
  if (!canonical) return [];
  const others = templates.filter((t) => t !== canonical).map((t) => envKeys(t.text));
  const written = new Set(envKeys(result));
  const lines = splitLines(canonical.text);
  return ownParts(envKeys(canonical.text), others, (key) => key)
    .filter((key) => !written.has(key))
    .map((key) => ({
      file: canonical.path,
      line: lines.findIndex((line) => envKeys(line)[0] === key) + 1,
      what: `${key}=`,
      why: key.startsWith('CLICKHOUSE_') ? `it is ${source.names.snake}'s ClickHouse setting; the new location has no ClickHouse` : `only ${source.names.snake}'s template declares it; no other location's does`,
    }));
}
