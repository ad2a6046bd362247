/**
 * The devtools alias dicts (`LOCATION_ALIASES = {"underwriting": "underwriting_ml", …}` in
 * check_defs.py and dev_local.py, phase 7): a location's footprint is its entry. A new entry is
 * written like the last one; a one-line dict that would grow past the repo's line limit
 * (ruff's `line-length`, else black's) is wrapped one entry a line, as ruff format would.
 */
import { addAliasWithin, findAliasDict, pythonLineLimit } from '../editors/python.js';
import { getPath, parseToml } from '../editors/toml.js';
import { lineEnd, lineNumber, lineStart } from '../editors/text.js';
import { auditedLocations, elementRemovalSpans, refsOf, removeSpans } from './common.js';
import type { Construct, Finding, LocationRef, Registry, RegistryInput } from './registry.js';

function names(input: RegistryInput, extra: string[] = []): string[] {
  return [...new Set([...refsOf(input.model).map((l) => l.names.snake), ...extra])];
}

/** The repo's Python line limit (ruff, else black), unless its lint ignores E501. */
function lineLimit(input: RegistryInput): { limit: number; indent: number; source: string } | undefined {
  const found = pythonLineLimit(input.read);
  try {
    const root = parseToml(input.read('pyproject.toml') ?? '');
    const ignored = [getPath(root, ['tool', 'ruff', 'lint', 'ignore']), getPath(root, ['tool', 'ruff', 'ignore'])].flat();
    if (ignored.some((code) => code === 'E501' || code === 'E5' || code === 'E')) return undefined;
  } catch {
    // An unreadable pyproject is the pyproject registry's to report.
  }
  return found;
}

export const aliasesRegistry: Registry = {
  id: 'aliases',
  phase: 'env',
  files: (input, location) =>
    input.model.conventions.files.aliasFiles.filter((file) => {
      const text = input.read(file);
      return text !== undefined && findAliasDict(text, names(input, location ? [location.names.snake] : [])) !== undefined;
    }),

  footprint(text, _file, location, input): Construct[] {
    const dict = findAliasDict(text, names(input, [location.names.snake]));
    if (!dict) return [];
    return dict.entries.flatMap((entry, k) =>
      entry.value === location.names.snake
        ? [{ key: `${dict.name}|{short}: {snake}`, what: `${dict.name} entry`, start: dict.list.elements[k].start, end: dict.list.elements[k].end, line: lineNumber(text, dict.list.elements[k].start) }]
        : [],
    );
  },

  add(text, file, input) {
    const { target } = input;
    if (text === undefined || target.names.short === target.names.snake) return { text: text ?? '', noFile: text === undefined, warnings: [], leftOut: [] };
    const locations = names(input, [target.names.snake]);
    const limit = lineLimit(input);
    const added = addAliasWithin(text, { locations, short: target.names.short, name: target.names.snake, file, limit: limit?.limit, indent: limit?.indent });
    const warnings = added.wrapped
      ? [`${file}:${added.wrapped.line}: the alias dict now takes one entry a line (on one line it would be ${added.wrapped.width} columns, over ${limit!.source} = ${limit!.limit}), as ruff format would lay it out`]
      : [];
    const result = added.text;
    return { text: result, warnings, leftOut: [] };
  },

  audit(text, file, input) {
    if (text === undefined) return [];
    const dict = findAliasDict(text, names(input));
    if (!dict) return [];
    const findings: Finding[] = [];
    for (const location of auditedLocations(input)) {
      if (dict.entries.some((e) => e.value === location.names.snake)) continue;
      findings.push({
        registry: 'aliases',
        file,
        line: lineNumber(text, dict.list.open),
        location: location.names.snake,
        problem: `${location.names.snake} has no short-name alias in ${dict.name}`,
        fix: `dagster-location env ${location.names.snake} (or dagster-location doctor --fix)`,
        fixable: true,
      });
    }
    return findings;
  },

  remove(text, file, location, input) {
    const dict = findAliasDict(text, names(input, [location.names.snake]));
    if (!dict) return text;
    const spans = dict.entries.flatMap((e, k) => (e.value === location.names.snake ? elementRemovalSpans(text, dict.list, k) : []));
    return unwrapAsAdded(removeSpans(text, spans), text, file, location, input);
  },
};

/** The dict on one line: `{` + its entries joined by `, ` + `}`. */
function oneLine(text: string, locations: string[]): string | undefined {
  const dict = findAliasDict(text, locations);
  if (!dict) return undefined;
  return `${text.slice(0, dict.list.open + 1)}${dict.entries.map((e) => e.text).join(', ')}${text.slice(dict.list.close)}`;
}

/**
 * The inverse of add's wrapping: when the dict on one line again fits the line limit and is what
 * add would have wrapped into exactly the text before the removal, it goes back to one line. A
 * dict wrapped by hand, or one too long for one line even without the entry, keeps its lines.
 */
function unwrapAsAdded(result: string, before: string, file: string, location: LocationRef, input: RegistryInput): string {
  const locations = names(input, [location.names.snake]);
  const collapsed = oneLine(result, locations);
  if (collapsed === undefined || collapsed === result) return result;
  const limit = lineLimit(input);
  if (limit === undefined) return result;
  // A dict over the limit on one line stays wrapped: add never joins it, so neither does remove.
  const dict = findAliasDict(collapsed, locations)!;
  const at = lineStart(collapsed, dict.list.open);
  if ([...collapsed.slice(at, lineEnd(collapsed, dict.list.open)).replace(/\r$/, '')].length > limit.limit) return result;
  const readded = addAliasWithin(collapsed, { locations, short: location.names.short, name: location.names.snake, file, limit: limit.limit, indent: limit.indent });
  return readded.text === before ? collapsed : result;
}
