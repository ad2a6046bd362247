/**
 * Format-preserving TOML edits for the root pyproject.toml.
 *
 * smol-toml parses and verifies, but drops comments when it writes, so a user's file is never
 * written through it. A small scanner finds the byte ranges of tables, keys, values and array
 * elements; edits are splices at those ranges; the result is parsed again and must equal the
 * original document with exactly the intended change.
 */
import { parse, TomlError } from 'smol-toml';
import { appendListElement, leadingCommentLines, detectEol, EditError, insertLines, insertListElement, lineEnd, lineNumber, lineStart, nextLineStart, type BracketList, skipHashTrivia as skipTrivia } from './text.js';

export type TomlArray = BracketList;

export interface TomlKeyValue {
  /** Full dotted path: table path + key path. */
  path: string[];
  /** Path of the table header the key sits under. */
  table: string[];
  lineStart: number;
  valueStart: number;
  valueEnd: number;
  /** End of the value's last line (after any trailing comment), before its line ending. */
  lineEnd: number;
  array?: TomlArray;
  /** A key inside an inline table (`x = { key = ... }`), not a key of its table. */
  inline?: boolean;
}

export interface TomlTable {
  path: string[];
  headerStart: number;
  arrayOfTables: boolean;
}

export interface TomlOutline {
  tables: TomlTable[];
  keys: TomlKeyValue[];
}

/** Parse with smol-toml, turning its error into one that names the file and line. */
export function parseToml(text: string, file = 'pyproject.toml'): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) throw new EditError(error.message.split('\n')[0], file, error.line);
    throw error;
  }
}

/**
 * Locate every table header and key/value (with array element ranges) in a TOML text. Errors
 * name `file` (when given) and the line.
 */
export function outlineToml(text: string, file?: string): TomlOutline {
  try {
    return scanToml(text);
  } catch (error) {
    if (error instanceof EditError && error.file === undefined && file !== undefined) throw new EditError(error.message, file, error.line);
    throw error;
  }
}

function scanToml(text: string): TomlOutline {
  const tables: TomlTable[] = [];
  const keys: TomlKeyValue[] = [];
  let table: string[] = [];
  // A byte-order mark is not part of the first key.
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  while (i < text.length) {
    i = skipBlank(text, i);
    if (i >= text.length) break;
    const ch = text[i];
    if (ch === '#' || ch === '\n' || ch === '\r') {
      i = nextLineStart(text, i);
      continue;
    }
    const start = i;
    if (ch === '[') {
      const arrayOfTables = text[i + 1] === '[';
      i += arrayOfTables ? 2 : 1;
      const key = readKey(text, i);
      table = key.path;
      tables.push({ path: table, headerStart: start, arrayOfTables });
      i = nextLineStart(text, key.end);
      continue;
    }
    const key = readKey(text, i);
    i = skipBlank(text, key.end);
    if (text[i] !== '=') throw new EditError(`expected '=' after key`, undefined, lineNumber(text, i));
    const valueStart = skipBlank(text, i + 1);
    const value = readValue(text, valueStart);
    const path = [...table, ...key.path];
    keys.push({
      path,
      table,
      lineStart: start,
      valueStart,
      valueEnd: value.end,
      lineEnd: lineEnd(text, value.end),
      array: value.array,
    });
    if (text[valueStart] === '{') inlineKeys(text, valueStart, path, table, keys);
    i = nextLineStart(text, value.end);
  }
  return { tables, keys };
}

function skipBlank(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

function readKey(text: string, i: number): { path: string[]; end: number } {
  const path: string[] = [];
  for (;;) {
    i = skipBlank(text, i);
    if (text[i] === '"' || text[i] === "'") {
      const end = stringEnd(text, i);
      try {
        path.push(parse(`k = ${text.slice(i, end)}`).k as string);
      } catch {
        throw new EditError('unreadable quoted key', undefined, lineNumber(text, i));
      }
      i = end;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 256));
      if (!m) throw new EditError('unreadable key', undefined, lineNumber(text, i));
      path.push(m[0]);
      i += m[0].length;
    }
    i = skipBlank(text, i);
    if (text[i] !== '.') break;
    i++;
  }
  // A header's closing bracket(s).
  while (text[i] === ']') i++;
  return { path, end: i };
}

/** End offset (exclusive) of the string starting at `i`, any of the four TOML string kinds. */
function stringEnd(text: string, i: number): number {
  const quote = text[i];
  const triple = text.startsWith(quote.repeat(3), i);
  if (triple) {
    let j = i + 3;
    for (;;) {
      const k = text.indexOf(quote.repeat(3), j);
      if (k === -1) throw new EditError('unterminated string', undefined, lineNumber(text, i));
      if (quote === '"' && isEscaped(text, k)) {
        j = k + 1;
        continue;
      }
      let end = k + 3;
      while (text[end] === quote && end < k + 5) end++; // up to two quotes may close the content
      return end;
    }
  }
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\n') break;
    if (quote === '"' && text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === quote) return j + 1;
  }
  throw new EditError('unterminated string', undefined, lineNumber(text, i));
}

function isEscaped(text: string, at: number): boolean {
  let n = 0;
  for (let j = at - 1; text[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function readValue(text: string, i: number): { end: number; array?: TomlArray } {
  const ch = text[i];
  if (ch === '"' || ch === "'") return { end: stringEnd(text, i) };
  if (ch === '[') return readArray(text, i);
  if (ch === '{') return { end: bracketEnd(text, i, '{', '}') };
  let j = i;
  while (j < text.length && !/[\s#,\]}]/.test(text[j])) j++;
  return { end: j };
}

/**
 * The keys inside an inline table (`workspace = { members = [...] }`), nested ones too, in the
 * outline with their full path, so their arrays can be located like any other.
 */
function inlineKeys(text: string, open: number, base: string[], table: string[], keys: TomlKeyValue[]): void {
  let i = open + 1;
  for (;;) {
    i = skipTrivia(text, i);
    if (i >= text.length || text[i] === '}') return;
    const key = readKey(text, i);
    const eq = skipBlank(text, key.end);
    if (text[eq] !== '=') throw new EditError(`expected '=' after key`, undefined, lineNumber(text, eq));
    const valueStart = skipBlank(text, eq + 1);
    const value = readValue(text, valueStart);
    const path = [...base, ...key.path];
    keys.push({ path, table, lineStart: lineStart(text, i), valueStart, valueEnd: value.end, lineEnd: lineEnd(text, value.end), array: value.array, inline: true });
    if (text[valueStart] === '{') inlineKeys(text, valueStart, path, table, keys);
    i = skipTrivia(text, value.end);
    if (text[i] === ',') i++;
  }
}

function readArray(text: string, open: number): { end: number; array: TomlArray } {
  const elements: BracketList['elements'] = [];
  let i = open + 1;
  for (;;) {
    i = skipTrivia(text, i);
    if (i >= text.length) throw new EditError('unterminated array', undefined, lineNumber(text, open));
    if (text[i] === ']') return { end: i + 1, array: { open, close: i, elements } };
    const value = readValue(text, i);
    const element: BracketList['elements'][number] = { start: i, end: value.end };
    elements.push(element);
    i = skipTrivia(text, value.end);
    if (text[i] === ',') {
      element.comma = i;
      i++;
    }
  }
}


function bracketEnd(text: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const ch = text[j];
    if (ch === '"' || ch === "'") {
      j = stringEnd(text, j) - 1;
    } else if (ch === open) depth++;
    else if (ch === close && --depth === 0) return j + 1;
  }
  throw new EditError(`unterminated ${open}`, undefined, lineNumber(text, i));
}

const samePath = (a: string[], b: string[]) => a.length === b.length && a.every((x, k) => x === b[k]);

export function findKey(outline: TomlOutline, path: string[]): TomlKeyValue | undefined {
  return outline.keys.find((k) => samePath(k.path, path));
}

/** Read a nested value of a parsed document. */
export function getPath(doc: unknown, path: string[]): unknown {
  let node: unknown = doc;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Append one string element to the array at `path`, in the style of its last element: the same
 * quote, the same line layout (one-line arrays stay on one line; a multi-line array gets a new
 * line with the last element's indentation) and the same trailing-comma habit. An array kept
 * sorted (three strings or more, in order: toml-sort style) gets it in its sorted place instead.
 * Returns the text unchanged when the element is already there.
 */
export function appendToArray(text: string, path: string[], value: string, file = 'pyproject.toml'): string {
  const before = parseToml(text, file);
  const current = getPath(before, path);
  if (!Array.isArray(current)) throw new EditError(`no array at ${path.join('.')}`, file);
  if (current.includes(value)) return text;
  const outline = outlineToml(text, file);
  const key = findKey(outline, path);
  if (!key?.array) {
    const holder = outline.keys.find((k) => k.path.length < path.length && samePath(k.path, path.slice(0, k.path.length)));
    throw new EditError(
      `cannot locate the array ${path.join('.')}${holder ? ' (it is written inside an inline table); add ' + JSON.stringify(value) + ' to it by hand' : ''}`,
      file,
      holder && lineNumber(text, holder.lineStart),
    );
  }
  const last = key.array.elements.at(-1);
  const rendered = quoteLike(value, last ? text[last.start] : '"');
  // toml-sort style (`--sort-inline-arrays`): three strings or more in order get the new one in its place.
  const sorted = current.length >= 3 && current.length === key.array.elements.length && current.every((item, k) => typeof item === 'string' && (k === 0 || current[k - 1] <= item));
  const index = sorted ? current.findIndex((item) => (item as string) > value) : -1;
  const result = index === -1 ? appendListElement(text, key.array, rendered) : insertListElement(text, key.array, index, rendered);
  verify(before, result, file, (doc) => (getPath(doc, path) as unknown[]).splice(index === -1 ? current.length : index, 0, value));
  return result;
}

/** A TOML string in the quote style of a sibling ('…' literal when it can be, else "…"). */
function quoteLike(value: string, quote: string): string {
  if (quote === "'" && !value.includes("'")) return `'${value}'`;
  return JSON.stringify(value);
}

/**
 * Add `line` (a complete `key = value` line, e.g. the canonical sibling renamed) to the table
 * at `tablePath`, right after the table's last key. Returns the text unchanged when the key is
 * already there.
 */
export function addTableEntry(
  text: string,
  tablePath: string[],
  key: string,
  line: string,
  file = 'pyproject.toml',
): string {
  const before = parseToml(text, file);
  const table = getPath(before, tablePath);
  if (table !== undefined && (table === null || typeof table !== 'object' || Array.isArray(table))) {
    throw new EditError(`${tablePath.join('.')} is not a table`, file);
  }
  const added = parseToml(line, file);
  if (table && key in (table as object)) return text;
  if (/^\s*\[/.test(line)) return addSubTable(text, before, tablePath, key, line, file);
  if (Object.keys(added).length !== 1 || !(key in added)) {
    throw new EditError(`the line to add to [${tablePath.join('.')}] must set ${key}, not: ${line}`, file);
  }
  const outline = outlineToml(text, file);
  const siblings = outline.keys.filter((k) => !k.inline && samePath(k.table, tablePath));
  const header = outline.tables.find((t) => samePath(t.path, tablePath));
  let result: string;
  // The table exists without a header: written as an inline table or with dotted keys from its
  // parent (a table that only has sub-table headers, `[tool.uv.sources.x]`, can still get one).
  const holder = outline.keys.find((k) => k.table.length < tablePath.length && samePath(k.path.slice(0, tablePath.length), tablePath));
  if (table !== undefined && !header && siblings.length === 0 && holder) {
    throw new EditError(
      `[${tablePath.join('.')}] is written inline or as dotted keys; add ${line} to it by hand`,
      file,
      lineNumber(text, holder.lineStart),
    );
  }
  if (siblings.length > 0) {
    result = insertLines(text, sortedInsertionPoint(text, siblings, tablePath.length, key), [line]);
  } else if (header) {
    result = insertLines(text, nextLineStart(text, header.headerStart), [line]);
  } else {
    const eol = detectEol(text);
    const gap = text.length === 0 || /\n[ \t]*\r?\n$/.test(text) ? '' : text.endsWith('\n') ? eol : eol + eol;
    result = `${text}${gap}[${tablePath.map(tomlKey).join('.')}]${eol}${line}${text.endsWith('\n') ? eol : ''}`;
  }
  verify(before, result, file, (doc) => {
    let node = doc as Record<string, unknown>;
    for (const part of tablePath) node = (node[part] ??= {}) as Record<string, unknown>;
    Object.assign(node, added);
  });
  return result;
}

/**
 * addTableEntry for an entry written as a table of its own (`[tool.uv.sources.<key>]` and its
 * keys, the way the file writes its siblings): after the last such sibling table, with the
 * blank line the siblings have between them, or at the end of the file.
 */
function addSubTable(text: string, before: Record<string, unknown>, tablePath: string[], key: string, block: string, file: string): string {
  const parsed = parseToml(block, file);
  const value = getPath(parsed, [...tablePath, key]);
  const expected = structuredClone(parsed);
  let node = expected as Record<string, unknown>;
  for (const part of tablePath) node = node[part] as Record<string, unknown>;
  delete node[key];
  if (value === undefined || !deepEqual(expected, tablePath.reduceRight<unknown>((inner, part) => ({ [part]: inner }), {}))) {
    throw new EditError(`the table to add must be [${[...tablePath, key].map(tomlKey).join('.')}] alone, not: ${block}`, file);
  }
  const outline = outlineToml(text, file);
  const siblings = outline.tables.filter((t) => !t.arrayOfTables && t.path.length === tablePath.length + 1 && samePath(t.path.slice(0, tablePath.length), tablePath));
  const last = siblings.at(-1);
  const lines = block.split(/\r?\n/);
  let at = text.length;
  if (last) {
    const own = outline.keys.filter((k) => !k.inline && samePath(k.table, last.path));
    at = nextLineStart(text, own.length > 0 ? own.at(-1)!.lineEnd : last.headerStart);
    const previous = siblings.at(-2);
    if (previous && /\n[ \t]*\r?\n[ \t]*$/.test(text.slice(0, last.headerStart))) lines.unshift('');
  } else if (text.trim() !== '') lines.unshift('');
  const result = insertLines(text, at, lines);
  verify(before, result, file, (doc) => {
    let target = doc as Record<string, unknown>;
    for (const part of tablePath) target = (target[part] ??= {}) as Record<string, unknown>;
    target[key] = value;
  });
  return result;
}

/**
 * Where a new key goes among the keys of its table: after the last one, unless the keys are
 * kept sorted (toml-sort style: three keys or more, in order), then before the first key that
 * sorts after it, above that key's own comment lines (the first key's comments speak of the
 * table, so a new first key goes right above the key itself).
 */
function sortedInsertionPoint(text: string, siblings: TomlKeyValue[], depth: number, key: string): number {
  const names = siblings.map((k) => k.path[depth]);
  const sorted = names.length >= 3 && names.every((name, k) => k === 0 || names[k - 1] <= name);
  const next = sorted ? siblings.findIndex((k) => k.path[depth] > key) : -1;
  if (next === -1) return nextLineStart(text, siblings.at(-1)!.lineEnd);
  const at = lineStart(text, siblings[next].lineStart);
  return next === 0 ? at : leadingCommentLines(text, at);
}

/**
 * The text of the `key = value` line of an existing key, or of the first dotted key under it
 * (`underwriting-ml.workspace = true`), for imitating a sibling.
 */
export function keyValueText(text: string, path: string[]): string | undefined {
  const outline = outlineToml(text);
  // Written as its own table (`[tool.uv.sources.underwriting-ml]` and its keys): the whole table.
  const header = outline.tables.find((t) => !t.arrayOfTables && samePath(t.path, path));
  if (header) {
    const own = outline.keys.filter((k) => !k.inline && samePath(k.table, path));
    return text.slice(header.headerStart, own.length > 0 ? own.at(-1)!.lineEnd : lineEnd(text, header.headerStart));
  }
  const key = outline.keys.find((k) => path.every((part, i) => k.path[i] === part));
  return key && text.slice(key.lineStart, key.lineEnd);
}

/** A single-line `key = value` without its trailing comment (it speaks of the sibling); a table (`[x]` and its keys) as it is. */
export function withoutComment(line: string): string {
  if (/^\s*\[/.test(line)) return line;
  const key = outlineToml(line).keys[0];
  return key ? line.slice(0, key.valueEnd).trimEnd() : line;
}

export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** The edit must parse, and mean exactly the original plus the intended change. */
function verify(before: unknown, resultText: string, file: string, change: (doc: unknown) => void): void {
  const expected = structuredClone(before);
  change(expected);
  let after: unknown;
  try {
    after = parse(resultText);
  } catch (error) {
    throw new EditError(`edit produced invalid TOML (${(error as Error).message.split('\n')[0]})`, file);
  }
  if (!deepEqual(after, expected)) throw new EditError('edit changed more than intended', file);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
