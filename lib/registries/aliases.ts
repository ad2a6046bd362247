/**
 * The devtools alias dicts (`LOCATION_ALIASES = {"underwriting": "underwriting_ml", …}` in
 * check_defs.py and dev_local.py, phase 7): a location's footprint is its entry. A new entry is
 * written like the last one; a one-line dict that would grow past the repo's line limit
 * (`[tool.ruff] line-length`, else ruff's 88) is wrapped one entry a line, as ruff format would.
 */
import { addAlias, findAliasDict } from '../editors/python.js';
import { getPath, parseToml } from '../editors/toml.js';
import { detectEol, indentOf, lineEnd, lineNumber, lineStart } from '../editors/text.js';
import { auditedLocations, elementRemovalSpans, refsOf, removeSpans } from './common.js';
import type { Construct, Finding, Registry, RegistryInput } from './registry.js';

function names(input: RegistryInput, extra: string[] = []): string[] {
  return [...new Set([...refsOf(input.model).map((l) => l.names.snake), ...extra])];
}

/** ruff's line limit, unless the repo's lint ignores E501 (then no limit applies). */
function lineLimit(input: RegistryInput): number {
  try {
    const root = parseToml(input.read('pyproject.toml') ?? '');
    const ignored = [getPath(root, ['tool', 'ruff', 'lint', 'ignore']), getPath(root, ['tool', 'ruff', 'ignore'])].flat();
    if (ignored.some((code) => code === 'E501' || code === 'E5' || code === 'E')) return Infinity;
    const limit = getPath(root, ['tool', 'ruff', 'line-length']);
    return typeof limit === 'number' ? limit : 88;
  } catch {
    return 88;
  }
}

/** A one-line dict literal wrapped one entry a line (ruff format's magic trailing comma style). */
export function wrapDict(text: string, locations: string[]): string {
  const dict = findAliasDict(text, locations);
  if (!dict || text.slice(dict.list.open, dict.list.close).includes('\n')) return text;
  const eol = detectEol(text);
  const indent = indentOf(text, dict.list.open);
  const entries = dict.entries.map((e) => `${indent}    ${e.text},`);
  return `${text.slice(0, dict.list.open + 1)}${eol}${entries.join(eol)}${eol}${indent}${text.slice(dict.list.close)}`;
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
    let result = addAlias(text, { locations, short: target.names.short, name: target.names.snake, file });
    const warnings: string[] = [];
    const dict = findAliasDict(result, locations)!;
    const limit = lineLimit(input);
    const line = result.slice(lineStart(result, dict.list.open), lineEnd(result, dict.list.close));
    if (result !== text && !line.includes('\n') && line.length > limit) {
      result = wrapDict(result, locations);
      warnings.push(`${file}:${lineNumber(result, dict.list.open)}: ${dict.name} would pass the line limit of ${limit} on one line; wrapped one entry a line, as ruff format would`);
    }
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

  remove(text, _file, location, input) {
    const dict = findAliasDict(text, names(input, [location.names.snake]));
    if (!dict) return text;
    const spans = dict.entries.flatMap((e, k) => (e.value === location.names.snake ? elementRemovalSpans(text, dict.list, k) : []));
    return unwrapAsAdded(removeSpans(text, spans), text, names(input, [location.names.snake]), lineLimit(input));
  },
};

/** The dict on one line: `{` + its entries joined by `, ` + `}`. */
function oneLine(text: string, locations: string[]): string | undefined {
  const dict = findAliasDict(text, locations);
  if (!dict) return undefined;
  return `${text.slice(0, dict.list.open + 1)}${dict.entries.map((e) => e.text).join(', ')}${text.slice(dict.list.close)}`;
}

/**
 * The inverse of add's wrapping: when the dict is in the form add wraps to, the entry removed is
 * what made the one-line dict pass the limit, and without it the dict fits on one line again,
 * it goes back to one line. A dict wrapped by hand otherwise keeps its lines.
 */
function unwrapAsAdded(result: string, before: string, locations: string[], limit: number): string {
  const collapsed = oneLine(result, locations);
  const collapsedBefore = oneLine(before, locations);
  if (collapsed === undefined || collapsedBefore === undefined || collapsed === result || wrapDict(collapsed, locations) !== result) return result;
  const lineOf = (text: string) => {
    const dict = findAliasDict(text, locations)!;
    return text.slice(lineStart(text, dict.list.open), lineEnd(text, dict.list.close)).length;
  };
  return lineOf(collapsedBefore) > limit && lineOf(collapsed) <= limit ? collapsed : result;
}
