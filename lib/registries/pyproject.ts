/**
 * The root pyproject.toml. A location's footprint in it: every string element of any array that
 * mentions it (workspace members, project dependencies, hatch wheel packages, isort
 * known-first-party, coverage source_pkgs, dependency groups, …), every key whose name mentions
 * it (`[tool.uv.sources]` entries, per-file-ignores), and every comment line that mentions it.
 * A new element goes after the last sibling element of the same key (in its sorted place when
 * the array is kept sorted), with the siblings' trailing-comment column; a new key goes after
 * the last sibling key, with the siblings' `=` column when they are aligned.
 */
import { appendListElement, EditError, insertListElement, insertLines, lineEnd, lineNumber, lineStart, nextLineStart, splice, type BracketList } from '../editors/text.js';
import { addTableEntry, deepEqual, getPath, outlineToml, parseToml, type TomlKeyValue, type TomlOutline } from '../editors/toml.js';
import { allLocations, footprintOf, lastWithKey, leftOutComments, missing, own, sourceFor, unaccounted, type Owned, type Unit } from './footprint.js';
import { mentions, renameMentions } from './mentions.js';
import type { AddInput, AddResult, Finding, LeftOut, LocationRef, Registry, RegistryInput } from './registry.js';
import { auditUnits, elementRemovalSpans, patternOnly, refsOf, removeSpans } from './common.js';

const FILE = 'pyproject.toml';

interface ElementUnit extends Unit {
  kind: 'element';
  kv: TomlKeyValue;
  index: number;
  value: string;
}
interface KeyUnit extends Unit {
  kind: 'key';
  kv: TomlKeyValue;
  /** The key's name inside its table (the first part past the table path). */
  name: string;
}
/** A table of its own whose name mentions a location (`[tool.uv.sources.underwriting-ml]` and its keys). */
interface TableUnit extends Unit {
  kind: 'table';
  /** The table's path, and where its header and its last line (before the line ending) are. */
  path: string[];
  headerStart: number;
  bodyEnd: number;
}
interface CommentUnit extends Unit {
  kind: 'comment';
}
type PyUnit = ElementUnit | KeyUnit | TableUnit | CommentUnit;

const tableName = (path: string[]) => `[${path.join('.')}]`;

/** Every unit of the file (see the module comment). */
export function pyprojectUnits(text: string, file = FILE): { outline: TomlOutline; units: PyUnit[] } {
  const outline = outlineToml(text, file);
  const doc = parseToml(text, file);
  const units: PyUnit[] = [];
  for (const key of outline.keys) {
    const where = `${tableName(key.table)}.${key.path.slice(key.table.length).join('.')}`;
    if (key.array) {
      const values = getPath(doc, key.path);
      if (Array.isArray(values) && values.length === key.array.elements.length) {
        key.array.elements.forEach((_element, index) => {
          const value = values[index];
          if (typeof value !== 'string') return;
          const span = elementSpan(text, key.array!, index);
          units.push({ kind: 'element', kv: key, index, value, context: where, shape: value, what: `"${value}" in ${where}`, ...span, text: text.slice(span.start, span.end) });
        });
      }
    }
    const name = key.path[key.table.length];
    // A key inside an inline table belongs to the key that holds the table.
    if (name !== undefined && !key.inline) {
      const start = key.lineStart;
      units.push({
        kind: 'key',
        kv: key,
        name,
        context: tableName(key.table),
        shape: key.path.slice(key.table.length).join('.'),
        what: `${key.path.slice(key.table.length).join('.')} in ${tableName(key.table)}`,
        start,
        end: nextLineStart(text, key.lineEnd),
        text: key.path.slice(key.table.length).join('.'),
      });
    }
  }
  // Sub-tables (`[tool.uv.sources.<name>]`): the header, its keys, and the one blank line above it.
  for (const table of outline.tables) {
    if (table.arrayOfTables || table.path.length < 2) continue;
    const own = outline.keys.filter((k) => !k.inline && k.table.length === table.path.length && k.table.every((p, i) => p === table.path[i]));
    const bodyEnd = own.length > 0 ? Math.max(...own.map((k) => k.lineEnd)) : lineEnd(text, table.headerStart);
    let start = table.headerStart;
    if (start > 0) {
      const previous = lineStart(text, start - 1);
      if (/^[ \t]*\r?\n$/.test(text.slice(previous, start))) start = previous;
    }
    const parent = table.path.slice(0, -1);
    units.push({ kind: 'table', path: table.path, headerStart: table.headerStart, bodyEnd, context: `table in ${tableName(parent)}`, shape: table.path.at(-1)!, what: tableName(table.path), start, end: nextLineStart(text, bodyEnd), text: table.path.at(-1)! });
  }
  // Comment lines of their own (not inside an array: those belong to the array's elements).
  const arrays = outline.keys.filter((k) => k.array).map((k) => k.array!);
  for (let at = 0; at < text.length; at = nextLineStart(text, at)) {
    const line = text.slice(at, lineEnd(text, at));
    if (!/^[ \t]*#/.test(line)) continue;
    if (arrays.some((a) => a.open < at && at < a.close)) continue;
    const table = [...outline.tables].reverse().find((t) => t.headerStart < at)?.path ?? [];
    units.push({ kind: 'comment', comment: true, context: `comment in ${tableName(table)}`, shape: line.trim(), what: line.trim(), start: at, end: nextLineStart(text, at) });
  }
  units.sort((a, b) => a.start - b.start);
  return { outline, units };
}

/** An element alone on its line(s): the whole lines; else the element itself (a one-line list). */
function elementSpan(text: string, list: BracketList, index: number): { start: number; end: number } {
  const element = list.elements[index];
  const previousEnd = index > 0 ? (list.elements[index - 1].comma ?? list.elements[index - 1].end) : list.open;
  const last = element.comma ?? element.end;
  const next = list.elements[index + 1];
  const aloneBefore = lineStart(text, element.start) > previousEnd;
  const aloneAfter = next ? lineStart(text, next.start) > last : lineStart(text, list.close) > last;
  if (aloneBefore && aloneAfter) return { start: lineStart(text, element.start), end: nextLineStart(text, last) };
  return { start: element.start, end: element.end };
}

function owned(text: string, locations: readonly LocationRef[], file: string): { outline: TomlOutline; owned: Array<Owned & PyUnit> } {
  const { outline, units } = pyprojectUnits(text, file);
  return { outline, owned: own(text, units, locations) as Array<Owned & PyUnit> };
}

export const pyprojectRegistry: Registry = {
  id: 'pyproject',
  phase: 'package',
  files: () => [FILE],

  footprint(text, file, location, input) {
    return footprintOf(owned(text, allLocations(refsOf(input.model), location), file).owned, location);
  },

  add(text, file, input) {
    if (text === undefined) throw new EditError('file not found', file);
    return addToPyproject(text, file, input);
  },

  audit(text, file, input) {
    if (text === undefined) return [];
    return auditUnits({ registry: 'pyproject', file, input, owned: (locations) => owned(text, locations, file).owned, fixedBy: 'package' });
  },

  remove(text, file, location, input) {
    const all = owned(text, allLocations(refsOf(input.model), location), file).owned;
    const found = patternOnly(all, footprintOf(all, location), location);
    const result = removeSpans(text, (found as Array<Owned & PyUnit>).flatMap((u) => (u.kind === 'element' ? elementRemovalSpans(text, u.kv.array!, u.index) : [{ start: u.start, end: u.end }])));
    parseToml(result, file);
    return result;
  },
};

function addToPyproject(original: string, file: string, input: AddInput): AddResult {
  const locations = allLocations(refsOf(input.model), input.target);
  let text = original;
  const leftOut: LeftOut[] = [];
  const first = owned(text, locations, file).owned;
  const source = sourceFor(first, input.model.canonical, input.target, locations);
  if (!source) return { text, warnings: [], leftOut };
  checkConflicts(text, file, first, source, input.target);
  const done = new Set<string>();
  for (let guard = 0; guard < 1000; guard++) {
    const { owned: units } = owned(text, locations, file);
    const todo = missing(units, source, input.target);
    if (guard === 0) leftOut.push(...leftOutComments(file, todo.leftOut));
    const next = todo.replicate.find((u) => !done.has(u.key));
    if (!next) break;
    done.add(next.key);
    text = replicate(text, file, units, next as Owned & PyUnit, next.owner, input.target);
  }
  const after = owned(text, locations, file).owned;
  const still = missing(after, source, input.target).replicate;
  if (still.length > 0) throw new EditError(`could not add ${input.target.names.snake}'s counterpart of ${still[0].what}`, file, still[0].line);
  // Every mention of the source is in one of its constructs (copied or deliberately not), or reported.
  const accounted = footprintOf(owned(original, locations, file).owned, source);
  const warnings = unaccounted(original, file, source, accounted, locations);
  return { text, warnings, leftOut };
}

/** A key the target needs that already exists with another value: refuse, naming the line. */
function checkConflicts(text: string, file: string, units: Array<Owned & PyUnit>, source: LocationRef, target: LocationRef): void {
  const doc = parseToml(text, file);
  for (const mine of footprintOf(units, target) as Array<Owned & PyUnit>) {
    if (mine.kind !== 'key') continue;
    const theirs = footprintOf(units, source).find((u) => u.key === mine.key) as (Owned & KeyUnit) | undefined;
    if (!theirs) continue;
    const expected = JSON.parse(renameMentions(JSON.stringify(getPath(doc, theirs.kv.path)), source, target)) as unknown;
    if (!deepEqual(getPath(doc, mine.kv.path), expected)) {
      throw new EditError(
        `${mine.what} already exists with another value than ${source.names.snake}'s counterpart (${text.slice(mine.kv.valueStart, mine.kv.valueEnd)}); refusing to guess`,
        file,
        mine.line,
      );
    }
  }
}

function replicate(text: string, file: string, units: Array<Owned & PyUnit>, unit: Owned & PyUnit, source: LocationRef, target: LocationRef): string {
  const sibling = (lastWithKey(units, unit.key, target) ?? unit) as Owned & PyUnit;
  const before = parseToml(text, file);
  if (unit.kind === 'element') {
    const value = renameMentions(unit.value, source, target);
    const key = sibling.kind === 'element' ? sibling.kv : unit.kv;
    const list = key.array!;
    const values = getPath(before, key.path) as unknown[];
    const sorted = values.length >= 3 && values.every((v, k) => typeof v === 'string' && (k === 0 || (values[k - 1] as string) <= v));
    let index = sorted ? values.findIndex((v) => (v as string) > value) : (sibling as ElementUnit).index + 1;
    if (index === -1) index = values.length;
    const rendered = renameMentions(text.slice(list.elements[(unit as ElementUnit).index].start, list.elements[(unit as ElementUnit).index].end), source, target);
    let result = index >= values.length ? appendListElement(text, list, rendered) : insertListElement(text, list, index, rendered);
    result = withTrailingComment(result, file, key.path, index, text, sibling as Owned & ElementUnit, target);
    const expected = structuredClone(before);
    (getPath(expected, key.path) as unknown[]).splice(index, 0, value);
    verify(result, file, expected);
    return result;
  }
  if (unit.kind === 'key') {
    const name = renameMentions(unit.name, source, target);
    const line = keyLine(text, unit, sibling as KeyUnit, source, target);
    const at = insertionPoint(text, units, unit, sibling as Owned & KeyUnit, name);
    const result = insertLines(text, at, [line]);
    const expected = structuredClone(before);
    const path = unit.kv.path.map((part, k) => (k < unit.kv.table.length ? part : renameMentions(part, source, target)));
    let node = expected as Record<string, unknown>;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = JSON.parse(renameMentions(JSON.stringify(getPath(before, unit.kv.path)), source, target)) as unknown;
    verify(result, file, expected);
    return result;
  }
  if (unit.kind === 'table') {
    // Written as its siblings are: a table of its own, after the last sibling table.
    const block = renameMentions(text.slice(unit.headerStart, unit.bodyEnd), source, target);
    return addTableEntry(text, unit.path.slice(0, -1), renameMentions(unit.path.at(-1)!, source, target), block, file);
  }
  // A comment line shared by the siblings: renamed, after the last sibling's.
  const line = renameMentions(text.slice(unit.start, lineEnd(text, unit.start)), source, target);
  return insertLines(text, nextLineStart(text, sibling.start), [line]);
}

/** The sibling element's trailing comment (`"vanguard-wholesale",   # :4000`), renamed, at the siblings' column. */
function withTrailingComment(result: string, file: string, path: string[], index: number, original: string, sibling: Owned & ElementUnit, target: LocationRef): string {
  const siblingList = sibling.kv.array!;
  const element = siblingList.elements[sibling.index];
  const afterElement = element.comma ?? element.end;
  const rest = original.slice(afterElement + (element.comma !== undefined ? 1 : 0), lineEnd(original, afterElement));
  const comment = /^([ \t]+)(#.*)$/.exec(rest);
  if (!comment || !mentions(comment[2], sibling.owner)) return result;
  const key = outlineToml(result, file).keys.find((k) => k.path.join('\0') === path.join('\0'));
  const added = key?.array?.elements[index];
  if (!added) return result;
  const end = added.comma ?? added.end;
  const lineEndAt = lineEnd(result, end);
  if (lineEndAt !== end + (added.comma !== undefined ? 1 : 0) || lineStart(result, added.start) === lineStart(result, key.array!.open)) return result;
  const column = afterElement + (element.comma !== undefined ? 1 : 0) + comment[1].length - lineStart(original, afterElement);
  const own = lineEndAt - lineStart(result, lineEndAt);
  const pad = column > own ? ' '.repeat(column - own) : comment[1];
  return splice(result, lineEndAt, lineEndAt, pad + renameMentions(comment[2], sibling.owner, target));
}

/**
 * The new `key = value` line: the canonical's, renamed, without its trailing comment unless the
 * sibling's line has one too; the key padded to the siblings' `=` column when they align it.
 */
function keyLine(text: string, unit: KeyUnit, sibling: KeyUnit, source: LocationRef, target: LocationRef): string {
  const keyText = text.slice(unit.kv.lineStart, unit.kv.valueEnd);
  const eq = keyText.indexOf('=', keyText.search(/[\s=]/));
  const rawKey = keyText.slice(0, eq).trimEnd();
  let line = `${renameMentions(rawKey, source, target)} = ${renameMentions(text.slice(unit.kv.valueStart, unit.kv.valueEnd), source, target)}`;
  const trailing = /^[ \t]*(#.*)$/.exec(text.slice(sibling.kv.valueEnd, sibling.kv.lineEnd));
  const ownTrailing = /^([ \t]*)(#.*)$/.exec(text.slice(unit.kv.valueEnd, unit.kv.lineEnd));
  if (trailing && ownTrailing && sibling !== unit) line += ownTrailing[1] + renameMentions(ownTrailing[2], source, target);
  // Aligned `=`: every key of the table puts it in one column, one of them with more than one space.
  const table = outlineKeysOf(text, unit.kv.table);
  const columns = table.map((k) => text.slice(k.lineStart, k.valueStart).search(/=/));
  const gaps = table.map((k) => /([ \t]*)=/.exec(text.slice(k.lineStart, k.valueStart))?.[1] ?? '');
  if (table.length >= 2 && columns.every((c) => c === columns[0]) && gaps.some((g) => g.length > 1)) {
    const newKey = renameMentions(rawKey, source, target);
    if (newKey.length + 1 <= columns[0]) line = `${newKey} `.padEnd(columns[0]) + line.slice(line.indexOf('=', newKey.length));
  }
  return line;
}

function outlineKeysOf(text: string, table: string[]): TomlKeyValue[] {
  return outlineToml(text).keys.filter((k) => k.table.length === table.length && k.table.every((p, i) => p === table[i]) && k.path.length > table.length);
}

/** After the last sibling key, or in its sorted place when the table's keys are kept sorted. */
function insertionPoint(text: string, _units: Array<Owned & PyUnit>, unit: KeyUnit, sibling: Owned & KeyUnit, name: string): number {
  const keys = outlineKeysOf(text, unit.kv.table);
  const names = keys.map((k) => k.path[unit.kv.table.length]);
  const sorted = names.length >= 3 && names.every((n, k) => k === 0 || names[k - 1] <= n);
  if (sorted) {
    const next = keys.find((k) => k.path[unit.kv.table.length] > name);
    if (next) {
      let at = lineStart(text, next.lineStart);
      if (next !== keys[0]) while (at > 0 && /^[ \t]*#/.test(text.slice(lineStart(text, at - 1), at))) at = lineStart(text, at - 1);
      return at;
    }
    return nextLineStart(text, keys.at(-1)!.lineEnd);
  }
  const last = keys.filter((k) => k.path[unit.kv.table.length] === sibling.name).at(-1) ?? sibling.kv;
  return nextLineStart(text, last.lineEnd);
}

function verify(result: string, file: string, expected: unknown): void {
  let after: unknown;
  try {
    after = parseToml(result, file);
  } catch (error) {
    throw new EditError(`edit produced invalid TOML (${(error as Error).message})`, file);
  }
  if (!deepEqual(after, expected)) throw new EditError('edit changed more than intended', file, lineNumber(result, 0));
}

export type { Finding, RegistryInput };
