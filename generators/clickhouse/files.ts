/**
 * Phase 3's package and registrations, as pure functions of the repo's text: the three modules of
 * `src/<name>/clickhouse/` derived from a location that already has them (the canonical one),
 * renamed, with the registry listing this location's assets and no summary views yet; the env
 * template's ClickHouse variables. The Dockerfile.bootstrap lines and the clickhouse/ paths in CI,
 * compose and the stack belong to those files' registries (lib/registries/).
 */
import { closingToken, pythonImports, pythonString, pythonTokens, type PyToken } from '../../lib/editors/python.js';
import { detectEol, EditError, lineStart, splitLines } from '../../lib/editors/text.js';
import { escapeRegExp, type LocationNames } from '../../lib/naming.js';
import { STDLIB_MODULES } from '../../lib/stdlib-modules.js';
import type { FoundAsset } from './assets.js';

/** The modules of a clickhouse/ package this generator writes. */
export const MODULES = ['__init__.py', 'asset_registry.py', 'summary_views.py'] as const;

export const DEFAULT_CLICKHOUSE_KEYS = ['CLICKHOUSE_HOST', 'CLICKHOUSE_PORT', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'];
export const DEFAULT_CLICKHOUSE_COMMENT = 'ClickHouse (also read by bootstrap-clickhouse)';

// ---------------------------------------------------------------- asset_registry.py

interface EntryStyle {
  keyword: boolean;
  multiline: boolean;
  quote: string;
  /** Indentation of an entry inside the list, and of its arguments when one a line. */
  indent: string;
  argIndent: string;
  trailingComma: boolean;
}

export const DEFAULT_ENTRY_STYLE: EntryStyle = { keyword: true, multiline: true, quote: '"', indent: '    ', argIndent: '        ', trailingComma: true };

/** One `AssetRegistryEntry(...)` written in the given style (lines joined with `eol`). */
export function renderEntry(asset: FoundAsset, style: EntryStyle, eol: string): string {
  const values: Array<[string, string]> = [
    ['asset_key', asset.key],
    ['view_name', asset.view],
    ...(asset.description ? [['description', asset.description] as [string, string]] : []),
  ];
  const args = values.map(([name, value]) => `${style.keyword ? `${name}=` : ''}${pythonString(value, style.quote)}`);
  if (!style.multiline) return `AssetRegistryEntry(${args.join(', ')})`;
  return `AssetRegistryEntry(${eol}${args.map((a) => style.argIndent + a).join(`,${eol}`)}${style.trailingComma ? ',' : ''}${eol}${style.indent})`;
}

/** The whole list literal: `[]` when empty, else one entry a line. */
export function renderEntries(assets: FoundAsset[], style: EntryStyle, eol: string, closeIndent = ''): string {
  if (assets.length === 0) return '[]';
  return `[${eol}${assets.map((a) => `${style.indent}${renderEntry(a, style, eol)},`).join(eol)}${eol}${closeIndent}]`;
}

/**
 * This location's asset_registry.py from the source location's (already renamed): its
 * docstring, imports and annotations stay; DB_NAME becomes this location's database; the list
 * of entries is replaced by this location's assets, written like the source's first entry.
 */
export function deriveRegistry(renamed: string, database: string, assets: FoundAsset[], file = 'asset_registry.py'): string {
  const tokens = pythonTokens(renamed);
  const eol = detectEol(renamed);
  let result = renamed;
  const list = registryList(tokens);
  if (!list) throw new EditError('no list of AssetRegistryEntry found', file);
  const [open, close] = list;
  const style = entryStyle(renamed, tokens, open, close);
  const closeLine = lineStart(renamed, tokens[close].start);
  const closeIndent = /^[ \t]*$/.test(renamed.slice(closeLine, tokens[close].start)) ? renamed.slice(closeLine, tokens[close].start) : '';
  result = result.slice(0, tokens[open].start) + renderEntries(assets, style, eol, closeIndent) + result.slice(tokens[close].end);
  // DB_NAME comes before the list, so its offsets are still those of `renamed`.
  const db = assignment(tokens, 'DB_NAME');
  if (db !== undefined && tokens[db].kind === 'string' && tokens[db].start < tokens[open].start) {
    result = result.slice(0, tokens[db].start) + pythonString(database, tokens[db].quote) + result.slice(tokens[db].end);
  }
  return result;
}

/** Token index of the value assigned at top level to `name`. */
function assignment(tokens: PyToken[], name: string): number | undefined {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'name' || t.text !== name || t.column !== 0 || (k > 0 && tokens[k - 1].kind !== 'newline')) continue;
    let j = k + 1;
    while (j < tokens.length && tokens[j].kind !== 'newline' && !(tokens[j].text === '=' && tokens[j].depth === 0)) j++;
    if (tokens[j]?.text === '=') return j + 1;
  }
  return undefined;
}

/** [open, close] token indexes of the top-level list literal that holds AssetRegistryEntry calls. */
function registryList(tokens: PyToken[]): [number, number] | undefined {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'name' || t.column !== 0 || (k > 0 && tokens[k - 1].kind !== 'newline')) continue;
    const value = assignment(tokens.slice(k), t.text);
    if (value === undefined) continue;
    const open = k + value;
    if (tokens[open]?.text !== '[') continue;
    const close = closingToken(tokens, open);
    const holdsEntries = tokens.slice(open, close).some((x) => x.kind === 'name' && x.text === 'AssetRegistryEntry');
    if (holdsEntries || t.text === 'ASSETS') return [open, close];
  }
  return undefined;
}

function entryStyle(text: string, tokens: PyToken[], open: number, close: number): EntryStyle {
  const call = tokens.findIndex((t, k) => k > open && k < close && t.kind === 'name' && t.text === 'AssetRegistryEntry' && tokens[k + 1]?.text === '(');
  const fallbackQuote = tokens.find((t) => t.kind === 'string' && t.start > tokens[open].start)?.quote ?? tokens.find((t) => t.kind === 'string')?.quote;
  if (call === -1) return { ...DEFAULT_ENTRY_STYLE, quote: fallbackQuote ?? DEFAULT_ENTRY_STYLE.quote };
  const paren = call + 1;
  const end = closingToken(tokens, paren);
  const inner = tokens.slice(paren + 1, end);
  const indentAt = (offset: number) => /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
  const multiline = text.slice(tokens[call].start, tokens[end].end).includes('\n');
  return {
    keyword: inner.some((t, k) => t.kind === 'name' && inner[k + 1]?.text === '=' && t.depth === tokens[paren].depth + 1),
    multiline,
    quote: inner.find((t) => t.kind === 'string')?.quote ?? fallbackQuote ?? '"',
    indent: indentAt(tokens[call].start),
    argIndent: multiline && inner.length > 0 ? indentAt(inner[0].start) : DEFAULT_ENTRY_STYLE.argIndent,
    trailingComma: tokens[end - 1]?.text === ',',
  };
}

// ---------------------------------------------------------------- summary_views.py

/**
 * This location's summary_views.py from the source's (already renamed): same signature and
 * docstring, a body that returns no views yet with a pointer to the other locations' examples
 * (not naming the source: nothing of the canonical's names is left in a new location's files), and
 * the imports only the old body used dropped.
 */
export function deriveSummaryViews(renamed: string, target: LocationNames, sourceFile: string): string {
  const tokens = pythonTokens(renamed);
  const eol = detectEol(renamed);
  const def = tokens.findIndex((t, k) => t.kind === 'name' && t.text === 'def' && t.column === 0 && tokens[k + 1]?.text === 'get_summary_views_ddl');
  if (def === -1) throw new EditError('no get_summary_views_ddl function', sourceFile);
  let colon = def;
  while (colon < tokens.length && !(tokens[colon].text === ':' && tokens[colon].depth === 0)) colon++;
  if (tokens[colon + 1]?.kind !== 'newline') {
    throw new EditError('get_summary_views_ddl has a one-line body', sourceFile, renamed.slice(0, tokens[def].start).split('\n').length);
  }
  const first = tokens[colon + 2];
  const indent = renamed.slice(lineStart(renamed, first.start), first.start);
  // The body ends before the next statement at column 0, or at the end of the file.
  let last = colon + 2;
  for (let k = colon + 2; k < tokens.length && !(tokens[k].column === 0 && tokens[k - 1].kind === 'newline'); k++) {
    if (tokens[k].kind !== 'newline') last = k;
  }
  const keepUntil = first.kind === 'string' ? lineEndAfter(renamed, first.end) : lineStart(renamed, first.start);
  const bodyEnd = lineEndAfter(renamed, tokens[last].end);
  const body = [
    `# No summary views yet. Add CREATE OR REPLACE VIEW statements over this location's`,
    `# asset views (database db_map[${pythonString(target.snake, first.quote ?? '"')}]); the other`,
    `# locations' clickhouse/summary_views.py have examples.`,
    'return []',
  ].map((line) => indent + line);
  const head = renamed.slice(0, keepUntil);
  const newBody = (first.kind === 'string' ? eol : '') + body.join(eol);
  return dropUnusedImports(head + newBody + renamed.slice(bodyEnd), eol);
}

/** Offset of the end of the line holding `offset` (before its line ending). */
function lineEndAfter(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl === -1) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** Remove one-line top-level imports none of whose names is used anywhere else; tidy the blank lines. */
export function dropUnusedImports(text: string, eol: string): string {
  const lines = text.split(/\r?\n/);
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(?:from\s+([\w.]+)\s+)?import\s+([^()\\#]+?)\s*(?:#.*)?$/.exec(lines[i]);
    if (m && m[1] !== '__future__') {
      const names = m[2].split(',').map((part) => {
        const words = part.trim().split(/\s+/);
        return (words.length === 3 && words[1] === 'as' ? words[2] : words[0]).split('.')[0];
      });
      const rest = lines.filter((_, j) => j !== i).join('\n');
      if (!names.some((name) => new RegExp(`(?<![\\w.])${escapeRegExp(name)}(?!\\w)`).test(rest))) continue;
    }
    kept.push(lines[i]);
  }
  return kept.join(eol).replace(new RegExp(`(${eol}){4,}`, 'g'), eol.repeat(3));
}

// ---------------------------------------------------------------- __init__.py and checks

/** Modules a clickhouse/ module may import: the standard library, polars, shared and its own package. */
export function disallowedImports(text: string, packageName: string): string[] {
  return pythonImports(text)
    .map((i) => i.module)
    .filter((module) => {
      if (module.startsWith('.')) return false;
      const top = module.split('.')[0];
      return !(STDLIB_MODULES.has(top) || top === '__future__' || top === 'polars' || top === 'shared' || top === packageName);
    });
}

/** Whether an `__init__.py` only imports, from its own package, the modules this generator writes. */
export function importsOnlyWrittenModules(text: string, packageName: string): boolean {
  const own = new RegExp(`^(?:${escapeRegExp(packageName)}\\.clickhouse|\\.)\\.?(\\w*)`);
  const written = new Set(['', ...MODULES.map((m) => m.replace(/\.py$/, '')).filter((m) => m !== '__init__')]);
  const tokens = pythonTokens(text);
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k].text !== 'from' || (k > 0 && tokens[k - 1].kind !== 'newline')) continue;
    let j = k + 1;
    let module = '';
    while (j < tokens.length && tokens[j].text !== 'import') module += tokens[j++].text;
    const m = own.exec(module);
    if (!m) continue;
    if (!written.has(m[1])) return false;
    if (m[1] === '') {
      // `from . import x, y`: each name must be a written module or a name __init__ itself defines.
      for (j++; j < tokens.length && tokens[j].kind !== 'newline'; j++) {
        const t = tokens[j];
        if (t.kind === 'name' && t.text !== 'as' && tokens[j - 1].text !== 'as' && !written.has(t.text)) return false;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------- env template

/**
 * The ClickHouse variables a location's env template needs, and the comment over them: those of
 * the source location's template when it has any; else those ClickHouseConfig.from_env() reads;
 * else the guide's four.
 */
export function clickhouseEnvKeys(sourceTemplate?: string, sharedConfig?: string): { keys: string[]; comment: string } {
  if (sourceTemplate) {
    const lines = splitLines(sourceTemplate);
    const at = lines.findIndex((l) => /^\s*(?:export\s+)?CLICKHOUSE_\w*\s*=/.test(l));
    if (at !== -1) {
      const keys = lines.map((l) => /^\s*(?:export\s+)?(CLICKHOUSE_\w*)\s*=/.exec(l)?.[1]).filter((k): k is string => k !== undefined);
      const above = at > 0 ? /^\s*#\s*(.*\S)\s*$/.exec(lines[at - 1])?.[1] : undefined;
      return { keys: [...new Set(keys)], comment: above ?? DEFAULT_CLICKHOUSE_COMMENT };
    }
  }
  const fromConfig = [...(sharedConfig ?? '').matchAll(/environ(?:\.get)?\s*[([]\s*["'](CLICKHOUSE_\w+)["']/g)].map((m) => m[1]);
  return { keys: fromConfig.length > 0 ? [...new Set(fromConfig)] : DEFAULT_CLICKHOUSE_KEYS, comment: DEFAULT_CLICKHOUSE_COMMENT };
}
