/**
 * Format-preserving YAML edits (compose.yml, docker-stack.yml, workspace.yaml,
 * bitbucket-pipelines.yml).
 *
 * `yaml`'s own toString() reformats a document (indentation, `<< :`, flow lists, `---`), so the
 * parser is only used to *locate*: node ranges give the byte span of an entry, the entry's text
 * is copied (renamed) or a sibling's line is imitated, and the new lines are spliced in. The
 * result is parsed again and must mean the original plus exactly the new entry.
 */
import {
  Alias,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  type Document,
  type Node,
  type Pair,
  type Range,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { deepEqual } from './toml.js';
import {
  appendListElement,
  insertListElement,
  leadingCommentLines,
  EditError,
  linesAt,
  lineEnd,
  lineNumber,
  lineStart,
  nextLineStart,
  spliceAll,
  splitLines,
  type BracketList,
  type Splice,
} from './text.js';

export type YamlPath = Array<string | number>;

/**
 * Sizes (in characters) from which a large text is handled differently: from `verifyByEntriesFrom`
 * up, a batch of edits is verified entry by entry instead of by a parse of the whole result (see
 * YamlEdits.verifyByEntries); from `parseInPartsFrom` up, a text is parsed in runs of entries of
 * about `part` characters (see parseInParts). Tests make them small to run those ways on small
 * files too.
 */
export const YAML_SIZES = { verifyByEntriesFrom: 256 * 1024, parseInPartsFrom: 256 * 1024, part: 16 * 1024 };

/**
 * Keys are checked for uniqueness here, not by the parser: its check compares each new key with
 * every earlier one, which is quadratic in the size of a map (a pipelines file with thousands of
 * custom pipelines), where a set of the keys read so far is linear.
 */
const PARSE_OPTIONS = { merge: true, keepSourceTokens: false, prettyErrors: false, uniqueKeys: false } as const;

/**
 * Parsed documents by text, most recently used last. Editors parse the same text again and again
 * (every edit verifies its result, the next edit parses that result, the doctor re-reads what the
 * model read), so a hit saves a whole parse. Documents from here are shared: never mutate them.
 */
const parsedByText = new Map<string, Document.Parsed>();
const MAX_PARSED = 24;
const jsByDocument = new WeakMap<Document.Parsed, unknown>();

/**
 * Parse (or reuse a parse of the same text), strictly: besides the parser's errors, its warnings
 * (an unknown tag), an alias to no anchor defined before it, an anchor defined twice, a key
 * twice in one map, a control character such as NUL, and template syntax (`{{ x }}`, `{% … %}`)
 * where YAML would read it as structure or as plain text are refused, naming the file and line.
 */
export function parseYaml(text: string, file: string): Document.Parsed {
  const cached = parsedByText.get(text);
  if (cached) {
    parsedByText.delete(text);
    parsedByText.set(text, cached);
    return cached;
  }
  const doc = parseText(text);
  const problem = strictProblem(text, doc);
  if (problem) throw new EditError(problem.message, file, problem.line);
  remember(text, doc);
  return doc;
}

/** Keep a strictly checked parse for the next parseYaml of the same text. */
function remember(text: string, doc: Document.Parsed): void {
  parsedByText.delete(text);
  parsedByText.set(text, doc);
  if (parsedByText.size > MAX_PARSED) parsedByText.delete(parsedByText.keys().next().value!);
}

/** Texts from this size up are parsed with the environment lookups of the parser made cheap. */
const LARGE_TEXT = 64 * 1024;

/**
 * The parser, as is. On a large text, `process.env` is a plain copy while it runs: the parser
 * looks up a logging variable in `process.env` for every token it reads, and each lookup of the
 * real environment is a call into the runtime (a tenth of the parse of a 5 MB file).
 */
function parseText(text: string): Document.Parsed {
  if (text.length < Math.min(LARGE_TEXT, YAML_SIZES.parseInPartsFrom)) return parseDocument(text, PARSE_OPTIONS);
  const env = process.env;
  process.env = { ...env };
  try {
    return (text.length >= YAML_SIZES.parseInPartsFrom && parseInParts(text)) || parseDocument(text, PARSE_OPTIONS);
  } finally {
    process.env = env;
  }
}

/**
 * A large text parsed as runs of entries of its block collections, each run alone (runs of about YAML_SIZES.part characters), the nodes
 * then put together into one document with offsets into the whole text. The parser holds the
 * syntax tree of all it is given until it is done: for a 5 MB file that was twice the memory of
 * the document itself. A run is cut where a line starts an entry of the collection, at the
 * collection's own column (entries nested in it are indented more, and so are the lines of
 * their scalars); an entry too large for one run, written `key:` alone on its line, is cut
 * the same way inside. Undefined when the text is not laid out that way or a run does not
 * parse as the entries it was cut at (then the whole text is parsed, and its errors reported).
 */
function parseInParts(text: string): Document.Parsed | undefined {
  // Directives and document markers are the whole text's: only a leading `---` is taken.
  const markers = [...text.matchAll(/^(?:%|---|\.\.\.)/gm)];
  const first = firstContent(text, 0, text.length);
  if (markers.length > 1 || (markers.length === 1 && (markers[0].index !== first || !/^---[ \t]*(#.*)?\r?$/.test(text.slice(first, lineEnd(text, first)))))) return undefined;
  const from = markers.length === 1 ? nextLineStart(text, first) : 0;
  let doc: Document.Parsed | undefined;
  const contents = partsOf(text, from, text.length, (parsed) => (doc ??= parsed));
  if (!contents || !doc) return undefined;
  if (from > 0) {
    // The `---` line goes with the document, not with its first entry.
    const head = parseDocument(text.slice(0, from), PARSE_OPTIONS);
    if (head.errors.length > 0 || head.warnings.length > 0) return undefined;
    doc = head;
  }
  doc.contents = contents as never;
  doc.range = [0, text.length, text.length];
  return doc;
}

/** Offset of the first line in [from, to) that holds more than blanks or a comment (to when none). */
function firstContent(text: string, from: number, to: number): number {
  for (let at = from; at < to; at = nextLineStart(text, at)) {
    const content = /[^ \t\r\n]/.exec(text.slice(at, Math.min(to, at + 512)));
    if (content && text[at + content.index] !== '#') return at;
  }
  return to;
}

/**
 * The block collection whose entries fill [from, to), parsed in runs (see parseInParts); `onDoc`
 * gets the document of the first run parsed. Undefined when it cannot be done that way.
 */
function partsOf(text: string, from: number, to: number, onDoc: (doc: Document.Parsed) => void, parentColumn = -1): YAMLMap | YAMLSeq | undefined {
  const head = firstContent(text, from, to);
  if (head >= to) return undefined;
  const column = /^ */.exec(text.slice(head, head + 512))![0].length;
  const seq = /^-(?:[ \r\n]|$)/.test(text.slice(head + column, head + column + 2));
  // Entry starts: lines with content at the collection's column (for a map, not a `- ` of a
  // sequence written at its key's column, nor the `:` of an explicit `? key`).
  const starts: number[] = [];
  for (let at = head; at < to; at = nextLineStart(text, at)) {
    const indent = /^[ \t]*/.exec(text.slice(at, at + 512))![0];
    const rest = text.slice(at + indent.length, at + indent.length + 2);
    if (rest === '' || rest[0] === '#' || rest[0] === '\n' || rest[0] === '\r') continue;
    if (indent.includes('\t') || indent.length < column) return undefined;
    if (indent.length > column) continue;
    const dash = /^-(?:[ \r\n]|$)/.test(rest);
    if (seq ? !dash : dash || /^:(?:[ \r\n]|$)/.test(rest)) {
      if (seq) return undefined;
      continue;
    }
    starts.push(at);
  }
  let collection: YAMLMap | YAMLSeq | undefined;
  let lastRange: Range | undefined;
  const add = (node: unknown): boolean => {
    if (!isCollection(node) || node.flow || isSeq(node) !== seq || !node.range) return false;
    if (!collection) collection = node as YAMLMap | YAMLSeq;
    else (collection.items as unknown[]).push(...node.items);
    lastRange = node.range;
    return true;
  };
  const parse = (start: number, end: number, entries: number): YAMLMap | YAMLSeq | undefined => {
    const doc = parseDocument(text.slice(start, end), PARSE_OPTIONS);
    if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
    const node = doc.contents;
    if (!isCollection(node) || node.items.length !== entries) return undefined;
    shiftRanges(node, start);
    onDoc(doc);
    return node as YAMLMap | YAMLSeq;
  };
  let runStart = from;
  let entries = 0;
  for (let k = 0; k < starts.length; k++) {
    const end = k + 1 < starts.length ? starts[k + 1] : to;
    const entryStart = k === 0 ? from : starts[k];
    const headerEnd = lineEnd(text, starts[k]);
    // `key:` alone on its line, with a large value: its value is cut in runs too.
    if (!seq && end - starts[k] > 4 * YAML_SIZES.part && /^[ ]*(?:[A-Za-z0-9_./-]+|"[^"\\\n]*"|'[^'\n]*')[ ]*:[ ]*(?:#.*)?\r?$/.test(text.slice(starts[k], headerEnd))) {
      if (entries > 0 && !add(parse(runStart, entryStart, entries))) return undefined;
      const headerDoc = parseDocument(text.slice(entryStart, headerEnd), PARSE_OPTIONS);
      const header = headerDoc.contents;
      if (headerDoc.errors.length > 0 || headerDoc.warnings.length > 0 || !isMap(header) || header.items.length !== 1) return undefined;
      shiftRanges(header, entryStart);
      onDoc(headerDoc);
      const value = partsOf(text, nextLineStart(text, headerEnd), end, onDoc, column);
      const valueColumn = value && (value.items[0] as Pair | Node | undefined) && lineColumn(text, value);
      if (!value || valueColumn === undefined || valueColumn < column || (valueColumn === column && !isSeq(value))) return undefined;
      (header.items[0] as Pair).value = value;
      // As the parser gives it: a block map ends where its last value ends, trailing lines included.
      header.range = [header.range![0], value.range![2], value.range![2]];
      if (!add(header)) return undefined;
      runStart = end;
      entries = 0;
      continue;
    }
    entries++;
    if (end - runStart >= YAML_SIZES.part || k === starts.length - 1) {
      if (!add(parse(runStart, end, entries))) return undefined;
      runStart = end;
      entries = 0;
    }
  }
  if (!collection || !lastRange) return undefined;
  // Comment lines after the last entry, as indented as the entries (and more than the key
  // above them), are the collection's own in the whole text (parsed alone, a run leaves them to the document).
  let tail = lastRange[2];
  for (let at = nextLineStart(text, Math.max(lastRange[1] - 1, from)); at < to; at = nextLineStart(text, at)) {
    const line = /^([ \t]*)(.?)/.exec(text.slice(at, at + 512))!;
    if (line[2] === '' || line[2] === '\r') continue;
    if (line[2] !== '#' || line[1].length < column || line[1].length <= parentColumn) break;
    tail = Math.max(tail, nextLineStart(text, at));
  }
  collection.range = [collection.range![0], lastRange[1], from === 0 ? lastRange[2] : tail];
  return collection;
}

/** Column of a collection's first entry. */
function lineColumn(text: string, collection: YAMLMap | YAMLSeq): number | undefined {
  const start = collection.range?.[0];
  return start === undefined ? undefined : start - lineStart(text, start);
}

/** Move every offset of a parsed part by `by`, so that it is an offset into the whole text. */
function shiftRanges(node: unknown, by: number): void {
  moveRanges(node, (offset) => offset + by);
}

/** An entry of the original that verifyByEntries parsed as it reads in the result, `at` its offset there. */
interface VerifiedEntry {
  parent: YAMLMap | YAMLSeq;
  original: Pair | Node;
  entry: Pair | Node;
  at: number;
}

/**
 * Where an offset of a text is after splices: moved by every splice that ends at or before it
 * (as YamlEdits places the original's offsets), found by a binary search.
 */
function shifter(splices: readonly Splice[]): (offset: number) => number {
  const sorted = [...splices].sort((a, b) => a.end - b.end);
  const ends = sorted.map((s) => s.end);
  const shifts: number[] = [0];
  for (const s of sorted) shifts.push(shifts.at(-1)! + s.replacement.length - (s.end - s.start));
  return (offset) => {
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return offset + shifts[lo];
  };
}

/** Every offset of a tree moved by `to`; each node has a range of its own (the parser makes one per node), moved in place. */
function moveRanges(node: unknown, to: (offset: number) => number): void {
  if (!node || typeof node !== 'object') return;
  if (isPair(node)) {
    moveRanges(node.key, to);
    moveRanges(node.value, to);
    return;
  }
  const range = (node as Node).range as number[] | null | undefined;
  if (range) {
    range[0] = to(range[0]);
    range[1] = to(range[1]);
    range[2] = to(range[2]);
  }
  if (isCollection(node)) for (const item of node.items) moveRanges(item, to);
}

/** A document whose tree was moved to another's: any later read of its contents throws. */
function retire(doc: Document.Parsed): void {
  Object.defineProperty(doc, 'contents', {
    get() {
      throw new Error('internal error: a YAML document was read after its tree became the result of an edit');
    },
  });
}

interface Problem {
  message: string;
  line?: number;
}

/** Characters YAML does not allow in a stream (outside the printable set), tab and line breaks aside. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NOT_PRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;

/**
 * Jinja's markers: `{{ name }}` (a variable, maybe with a filter), `{% … %}`, `{# … #}`. Go
 * templates as Docker writes them (`{{.Node.Hostname}}`, `{{json .State}}`) are not these.
 */
const TEMPLATE = /\{\{-?\s*[A-Za-z_][\w.]*\s*(?:\|[^{}]*)?-?\}\}|\{%.*?%\}|\{#.*?#\}/s;

/**
 * The first reason to refuse a parsed text (see parseYaml), with its line. `anchorBefore`
 * answers for anchors defined outside the text (a part of a larger file parsed alone).
 */
export function strictProblem(text: string, doc: Document.Parsed, anchorBefore?: (name: string) => boolean): Problem | undefined {
  const at = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lineNumber(text, offset));
  const bad = NOT_PRINTABLE.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0);
    const name = code === 0 ? 'a NUL byte' : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return { message: `${name} is not allowed in YAML`, line: at(bad.index) };
  }
  const error = doc.errors[0] ?? doc.warnings[0];
  if (error) return { message: error.message.split('\n')[0], line: error.linePos?.[0]?.line ?? at(error.pos[0]) };
  const anchors = new Map<string, number>();
  let problem: Problem | undefined;
  const walk = (node: unknown): void => {
    if (problem || !node || typeof node !== 'object') return;
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
      return;
    }
    const start = (node as Node).range?.[0];
    if (isAlias(node)) {
      if (!anchors.has(node.source) && !anchorBefore?.(node.source)) {
        problem = { message: `the alias *${node.source} refers to no anchor defined before it`, line: at(start) };
      }
      return;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) {
      const first = anchors.get(anchor);
      if (first !== undefined || anchorBefore?.(anchor)) {
        const where = first !== undefined ? ` (first at line ${at(first)})` : '';
        problem = { message: `the anchor &${anchor} is defined a second time${where}; aliases after it would mean this one`, line: at(start) };
        return;
      }
      anchors.set(anchor, start ?? 0);
    }
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value === 'string' && value.includes('{') && node.type === Scalar.PLAIN && TEMPLATE.test(value)) problem = templateProblem(TEMPLATE.exec(value)![0], at(start));
      return;
    }
    if (isMap(node)) {
      const only = node.items.length === 1 ? (node.items[0] as Pair) : undefined;
      if (node.flow && only && isMap(only.key) && only.key.flow) {
        problem = templateProblem(text.slice(start ?? 0, node.range?.[1] ?? start ?? 0).trim(), at(start));
        return;
      }
      // Scalar keys by value (a Map tells 1 from "1"; a merge key `<<` is a symbol made anew by
      // each parse, so it goes by name); other keys by themselves.
      const keys = new Map<unknown, number>();
      for (const pair of node.items as Pair[]) {
        const key = isScalar(pair.key) ? (typeof pair.key.value === 'symbol' ? String(pair.key.value) : pair.key.value) : pair.key;
        const keyStart = (pair.key as Node | null)?.range?.[0];
        const first = keys.get(key);
        if (first !== undefined) {
          problem = { message: `the key ${JSON.stringify(keyOf(pair))} appears twice in one map (first at line ${at(first)})`, line: at(keyStart) };
          return;
        }
        keys.set(key, keyStart ?? 0);
      }
    }
    if (isCollection(node)) for (const item of node.items) walk(item);
  };
  walk(doc.contents);
  return problem;
}

function templateProblem(found: string, line: number | undefined): Problem {
  return { message: `${JSON.stringify(found)} is template syntax, not YAML: edit the rendered file, or this template by hand`, line };
}

/** The document as plain data (aliases and merge keys resolved), computed once per document: do not mutate. */
export function toJs(doc: Document.Parsed): unknown {
  let js = jsByDocument.get(doc);
  if (js === undefined) {
    js = doc.toJS({ maxAliasCount: -1 });
    jsByDocument.set(doc, js);
  }
  return js;
}

/**
 * True when `after` means what `before` meant once the `added` entries are taken out (for each
 * collection of `after` that gained entries, their indices): an edit added them and nothing
 * else. The two trees are compared node by node (scalar values, tags, anchors, and aliases by
 * name), which with anchors kept unique is the same as comparing what they resolve to, without
 * expanding every alias.
 */
function meansSameWithout(before: Document.Parsed, after: Document.Parsed, added: ReadonlyMap<unknown, ReadonlySet<number>>): boolean {
  return sameWithout(before.contents, after.contents, added);
}

/** The node-by-node comparison of meansSameWithout, from two nodes. */
function sameWithout(before: unknown, after: unknown, added: ReadonlyMap<unknown, ReadonlySet<number>>): boolean {
  const same = (a: unknown, b: unknown): boolean => {
    if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
    const x = a as Node & { anchor?: string; tag?: string };
    const y = b as Node & { anchor?: string; tag?: string };
    if (x.anchor !== y.anchor || x.tag !== y.tag) return false;
    if (isAlias(x)) return isAlias(y) && x.source === y.source;
    if (isScalar(x)) return isScalar(y) && sameValue(x.value, y.value);
    if (isPair(x)) return isPair(y) && same(x.key, y.key) && same(x.value, y.value);
    if (isMap(x) !== isMap(y) || isSeq(x) !== isSeq(y) || !isCollection(x) || !isCollection(y)) return false;
    const skip = added.get(y);
    const itemsB = skip ? y.items.filter((_item, i) => !skip.has(i)) : y.items;
    return x.items.length === itemsB.length && x.items.every((item, i) => same(item, itemsB[i]));
  };
  return same(before, after);
}

/** Scalar values; a merge key `<<` is a symbol made anew by each parse, so symbols compare by name. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'symbol' || typeof b === 'symbol') return typeof a === typeof b && String(a) === String(b);
  return deepEqual(a, b);
}

/**
 * For each entry of the map at `path` (such as each compose service), the plain values of some
 * of its keys, its own first, then those its merge keys bring (`<<: *base`). Cheaper than the
 * whole document as plain data, and than resolving each alias by searching the document.
 */
export function entryFields(doc: Document.Parsed, path: YamlPath, fields: readonly string[]): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  const map = getCollection(doc, path);
  if (!isMap(map)) return found;
  for (const pair of map.items as Pair[]) {
    const values: Record<string, unknown> = {};
    collectFields(doc, pair.value, fields, values, 0);
    found.set(keyOf(pair), values);
  }
  return found;
}

/**
 * As entryFields, the nodes themselves (for their source ranges): for each entry of the map at
 * `path`, its own node of each field, else the one its merge keys bring.
 */
export function entryFieldNodes(doc: Document.Parsed, path: YamlPath, fields: readonly string[]): Map<string, Record<string, Node>> {
  const found = new Map<string, Record<string, Node>>();
  const map = getCollection(doc, path);
  if (!isMap(map)) return found;
  for (const pair of map.items as Pair[]) {
    const nodes: Record<string, unknown> = {};
    collectFields(doc, pair.value, fields, nodes, 0, (node) => node);
    found.set(keyOf(pair), nodes as Record<string, Node>);
  }
  return found;
}

function collectFields(doc: Document.Parsed, node: unknown, fields: readonly string[], values: Record<string, unknown>, depth: number, take?: (node: unknown) => unknown): void {
  const map = resolveAlias(doc, node);
  if (!isMap(map) || depth > 20) return;
  const merged: unknown[] = [];
  for (const item of map.items as Pair[]) {
    const key = isScalar(item.key) ? item.key.value : undefined;
    if (typeof key === 'symbol' || key === '<<') merged.push(...(isSeq(item.value) ? item.value.items : [item.value]));
    else if (fields.includes(String(key)) && !(String(key) in values)) {
      const value = resolveAlias(doc, item.value);
      values[String(key)] = take ? take(value) : isNode(value) ? value.toJS(doc, { maxAliasCount: -1 }) : value;
    }
  }
  for (const source of merged) collectFields(doc, source, fields, values, depth + 1, take);
}

/**
 * The node an alias stands for (the last definition of its anchor before it, as `alias.resolve`
 * finds it), from the anchor index; other nodes as they are. `alias.resolve` walks the document
 * up to the alias each time: the pattern rule asks it of every merge key of every location.
 */
export function resolveAlias(doc: Document.Parsed, node: unknown): unknown {
  if (!isAlias(node)) return node;
  const at = node.range?.[0] ?? Infinity;
  return anchoredNodes(doc, node.source).filter((found) => (found.node.range?.[0] ?? 0) < at).at(-1)?.node;
}

export function getCollection(doc: Document.Parsed, path: YamlPath): YAMLMap | YAMLSeq | undefined {
  let node: unknown = doc.contents;
  for (const part of path) {
    if (isMap(node)) node = pairOf(node, part)?.value;
    else if (isSeq(node)) node = node.items[typeof part === 'number' ? part : /^\d+$/.test(part) ? Number(part) : -1];
    else return undefined;
  }
  return isCollection(node) ? (node as YAMLMap | YAMLSeq) : undefined;
}

/** Large maps of shared documents, indexed by scalar key (a pipelines file's thousands of custom pipelines). */
const pairsByMap = new WeakMap<YAMLMap, Map<unknown, Pair>>();

/**
 * The pair of a map whose scalar key is `key` (as `YAMLMap.get` finds it: the value itself, a
 * string part matching a string key), through an index for large maps: looking a key up item by
 * item made each of a few hundred edits of one file scan thousands of entries.
 */
function pairOf(map: YAMLMap, key: unknown): Pair | undefined {
  const items = map.items as Pair[];
  if (items.length < 64) return items.find((pair) => (isScalar(pair.key) ? pair.key.value === key : pair.key === key));
  let index = pairsByMap.get(map);
  if (!index) {
    index = new Map();
    for (const pair of items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (!index.has(k)) index.set(k, pair);
    }
    pairsByMap.set(map, index);
  }
  return index.get(key);
}

/** Every node in the document, with its path, for searches like "every includePaths list". */
export function findNodes(
  doc: Document.Parsed,
  test: (node: Node, path: YamlPath) => boolean,
): Array<{ node: Node; path: YamlPath }> {
  const found: Array<{ node: Node; path: YamlPath }> = [];
  eachNode(doc, (node, path) => {
    if (test(node, path)) found.push({ node, path: [...path] });
  });
  return found;
}

/**
 * Visit every node with its path, depth first in document order; a map key is visited with the
 * path of its value. The path is one array, changed as the walk goes: copy what is kept (a
 * large file has a million nodes, and a copy of the path for each was most of its memory).
 */
function eachNode(doc: Document.Parsed, visit: (node: Node, path: YamlPath) => void): void {
  const path: YamlPath = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    visit(node as Node, path);
    if (isSeq(node)) {
      const items = node.items;
      for (let index = 0; index < items.length; index++) {
        path.push(index);
        walk(items[index]);
        path.pop();
      }
    } else if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        const keyed = isScalar(pair.key);
        if (keyed) path.push(String((pair.key as Scalar).value));
        walk(pair.key);
        walk(pair.value);
        if (keyed) path.pop();
      }
    }
  };
  walk(doc.contents);
}

/** The key of a map entry as text. */
export function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * The source span of one entry of a block collection: from the start of the line of its key
 * (or of its `-`) to the end of the line where its value ends, plus the comment lines right
 * after it that are indented under it (they belong to it, not to the next entry).
 */
export function entrySpan(text: string, collection: YAMLMap | YAMLSeq, item: unknown): { start: number; end: number } {
  if (collection.flow) throw new EditError('expected a block collection, found a flow one', undefined, rangeLine(text, collection));
  let startNode: number;
  let valueEnd: number;
  if (isPair(item)) {
    startNode = (item.key as Node).range![0];
    valueEnd = ((item.value as Node | null)?.range ?? (item.key as Node).range!)[1];
  } else {
    const node = item as Node;
    startNode = dashBefore(text, node.range![0]);
    valueEnd = node.range![1];
  }
  const start = lineStart(text, startNode);
  const indent = startNode - start;
  let end = lineEnd(text, lastContent(text, startNode, valueEnd));
  // Comment lines indented deeper than the entry still belong to it.
  for (let next = nextLineStart(text, end); next < text.length; next = nextLineStart(text, next)) {
    const line = text.slice(next, lineEnd(text, next));
    const m = /^([ \t]*)#/.exec(line);
    if (!m || m[1].length <= indent) break;
    end = lineEnd(text, next);
  }
  return { start, end };
}

/** The `-` of the block sequence item whose value starts at `offset`, past an `&anchor` or `!tag`. */
function dashBefore(text: string, offset: number): number {
  let i = offset - 1;
  for (;;) {
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (text[i] === '-' && (i === 0 || /\s/.test(text[i - 1]))) return i;
    let j = i;
    while (j >= 0 && !/\s/.test(text[j])) j--;
    if (j === i || !/^[&!]/.test(text[j + 1] ?? '')) break;
    i = j;
  }
  throw new EditError('expected a block sequence entry', undefined, lineNumber(text, offset));
}

/** Offset of the last non-blank character in [from, to). */
function lastContent(text: string, from: number, to: number): number {
  let i = Math.min(to, text.length) - 1;
  while (i > from && /\s/.test(text[i])) i--;
  return i;
}

function rangeLine(text: string, node: Node): number | undefined {
  return node.range ? lineNumber(text, node.range[0]) : undefined;
}

export interface CloneOptions {
  file: string;
  /** Where the collection is. */
  path: YamlPath;
  /** The entry to copy: a map key or a sequence index. */
  source: string | number;
  /** Insert after this entry (default: the last one). */
  after?: string | number;
  /** Rewrites the copied text (the rename map). */
  transform: (entryText: string) => string;
  /** For a map, the new entry's key (to check it is not there yet and verify it). */
  newKey?: string;
}

/**
 * Copy one entry of a block collection, rewrite it, and insert it after a sibling. The copy
 * keeps the source's indentation and inner comments; leading comment lines come along only if
 * the rename changes them (then they speak of the new entry). Anchors that the rename leaves
 * unchanged are dropped from the copy, so later aliases keep pointing at the original.
 */
export function cloneEntry(text: string, options: CloneOptions): string {
  const edits = new YamlEdits(text, options.file);
  edits.clone(options);
  return edits.apply();
}

/**
 * Add a scalar to a sequence in the style of its last element: a block list gets a new `- x`
 * line with the same indentation and quoting, a flow list gets `, x` (on a new line if the list
 * spans lines, keeping a trailing comma habit). Unchanged when the value is already there.
 */
export function appendScalar(text: string, options: { file: string; path: YamlPath; value: string }): string {
  const edits = new YamlEdits(text, options.file);
  edits.append(options);
  return edits.apply();
}

/** One planned insertion: a splice of the original text that adds one entry to one collection. */
interface Planned extends Splice {
  /** The collection that gains the entry, as found in the original document. */
  path: YamlPath;
  collection: YAMLMap | YAMLSeq;
  /** The new entry follows this entry of the original collection (-1: it comes first). */
  afterIndex: number;
  /** What makes two plans the same entry (a key, a value, an entry's text). */
  identity: string;
  /** Why the added entry is not the one meant, if it is not. */
  problem?: (added: unknown) => string | undefined;
}

/**
 * A batch of insertions into one YAML file: all located on one parse of its text, spliced in at
 * once, and checked with one parse of the result (every new entry is where it was meant to go
 * and reads as meant; without them the file means exactly what it meant before). A large file,
 * such as a pipelines file with a hundred locations, is then parsed twice per phase instead of
 * twice per entry; from YAML_SIZES.verifyByEntriesFrom up, once: the result is verified entry by
 * entry and its document is the original's, moved (see moveToResult). Plans are made against the
 * original text; one that overlaps a plan already made (a second element for the same flow list)
 * is made again, on the result, in a second round.
 */
export class YamlEdits {
  readonly doc: Document.Parsed;
  private readonly planned: Planned[] = [];
  private readonly nextRound: Array<(next: YamlEdits) => void> = [];
  /** How the last apply() checked its result: by parsing it whole, or entry by entry. */
  verifiedBy?: 'whole' | 'entries';

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.doc = parseYaml(text, file);
  }

  /** Plan a copy of an entry (see cloneEntry); false when it is there, or planned, already. */
  clone(options: Omit<CloneOptions, 'file'>): boolean {
    return this.inFile(() => this.planClone(options));
  }

  /** Plan a scalar at the end of a list (see appendScalar); false when the value is there, or planned, already. */
  append(options: { path: YamlPath; value: string }): boolean {
    return this.inFile(() => this.planAppend(options));
  }

  /** Plan whole lines at a line start `at`, making a new entry after entry `afterIndex` of the collection at `path`. */
  insertLines(options: Omit<Planned, keyof Splice | 'collection'> & { at: number; lines: string[] }): boolean {
    return this.inFile(() => {
      const { at, lines, ...rest } = options;
      return this.plan({ ...rest, ...linesAt(this.text, at, lines), collection: this.collectionAt(rest.path) }, (next) => next.insertLines(options));
    });
  }

  /** True when something is planned. */
  get changed(): boolean {
    return this.planned.length > 0 || this.nextRound.length > 0;
  }

  /** The text with every planned entry, verified; the original text when nothing is planned. */
  apply(): string {
    if (this.planned.length === 0) return this.text;
    const result = spliceAll(this.text, this.planned);
    const pieces = this.text.length >= YAML_SIZES.verifyByEntriesFrom ? this.verifyByEntries(result) : undefined;
    this.verifiedBy = pieces ? 'entries' : 'whole';
    if (pieces) remember(result, this.moveToResult(result, pieces));
    else this.verify(result);
    if (this.nextRound.length === 0) return result;
    const next = new YamlEdits(result, this.file);
    for (const replan of this.nextRound) replan(next);
    return next.apply();
  }

  /** Errors of the line-level helpers name the file being edited. */
  private inFile<T>(edit: () => T): T {
    try {
      return edit();
    } catch (error) {
      if (error instanceof EditError && error.file === undefined) throw new EditError(error.message, this.file, error.line);
      throw error;
    }
  }

  private collectionAt(path: YamlPath): YAMLMap | YAMLSeq {
    const collection = getCollection(this.doc, path);
    if (!collection) throw new EditError(`no collection at ${path.join('.') || '(root)'}`, this.file);
    return collection;
  }

  private isPlanned(path: YamlPath, identity: string): boolean {
    return this.planned.some((p) => p.identity === identity && samePath(p.path, path));
  }

  private plan(planned: Planned, replan: (next: YamlEdits) => void): boolean {
    if (this.isPlanned(planned.path, planned.identity)) return false;
    if (this.planned.some((other) => overlaps(other, planned))) this.nextRound.push(replan);
    else this.planned.push(planned);
    return true;
  }

  private planClone(options: Omit<CloneOptions, 'file'>): boolean {
    const { text, file } = this;
    const collection = this.collectionAt(options.path);
    const sourceItem = itemOf(collection, options.source, file);
    const afterItem = itemOf(collection, options.after ?? lastKey(collection), file);
    // The new key: as given, else the source's key renamed (when the rename changes it).
    let newKey = options.newKey;
    if (newKey === undefined && isPair(sourceItem)) {
      const renamed = options.transform(keyOf(sourceItem));
      if (renamed !== keyOf(sourceItem)) newKey = renamed;
    }
    if (isMap(collection) && newKey !== undefined && collection.has(newKey)) return false;
    if (collection.flow) return this.planCloneFlow(options, collection, sourceItem, afterItem, newKey);

    const span = entrySpan(text, collection, sourceItem);
    const lead = leadingCommentLines(text, span.start);
    const leadText = text.slice(lead, span.start);
    const leadRenamed = options.transform(leadText);
    let sourceText = text.slice(span.start, span.end);
    // A map's first key on its `- ` line (`-   grpc_server:`): the copy is a key, not a new item.
    // (An explicit key, `? key` then `: value`, is copied as it is written.)
    if (isPair(sourceItem)) {
      const before = text.slice(span.start, (sourceItem.key as Node).range![0]);
      if (/^[ \t]*-/.test(before)) sourceText = before.replace(/[^\t]/g, ' ') + sourceText.slice(before.length);
    }
    const entry = dropUnrenamedAnchors(options.transform(sourceText), anchorsIn(sourceItem));
    // A sequence already holding this very entry (a second run) is left as it is.
    if (isSeq(collection) && collection.items.some((item) => {
      const other = entrySpan(text, collection, item);
      return text.slice(other.start, other.end) === entry;
    })) return false;
    const copy = (leadRenamed !== leadText ? leadRenamed : '') + entry;

    const lines = splitLines(copy);
    if (blankLineBetweenSiblings(text, collection, afterItem)) lines.unshift('');
    const at = nextLineStart(text, entrySpan(text, collection, afterItem).end);
    return this.plan(
      {
        ...linesAt(text, at, lines),
        path: options.path,
        collection,
        afterIndex: (collection.items as unknown[]).indexOf(afterItem),
        identity: newKey !== undefined ? `key ${newKey}` : `entry ${entry}`,
        problem: (added) => (newKey === undefined || (isPair(added) && keyOf(added) === newKey) ? undefined : `the new entry's key is not ${newKey}`),
      },
      (next) => next.clone(options),
    );
  }

  /**
   * planClone in a flow collection (`[a, b]`, `{a: 1, b: 2}`): the source entry's text, renamed,
   * as a new element after the entry `afterItem`, in the list's own layout (see appendListElement).
   */
  private planCloneFlow(options: Omit<CloneOptions, 'file'>, collection: YAMLMap | YAMLSeq, sourceItem: unknown, afterItem: unknown, newKey: string | undefined): boolean {
    const { text } = this;
    const list = flowList(text, collection);
    const items = collection.items as unknown[];
    const source = list.elements[items.indexOf(sourceItem)];
    const entry = dropUnrenamedAnchors(options.transform(text.slice(source.start, source.end)), anchorsIn(sourceItem));
    if (isSeq(collection) && list.elements.some((element) => text.slice(element.start, element.end) === entry)) return false;
    const afterIndex = items.indexOf(afterItem);
    const result = afterIndex === items.length - 1 ? appendListElement(text, list, entry) : insertListElement(text, list, afterIndex + 1, entry);
    const [open, close] = [list.open, list.close + 1];
    return this.plan(
      {
        start: open,
        end: close,
        replacement: result.slice(open, close + result.length - text.length),
        path: options.path,
        collection,
        afterIndex,
        identity: newKey !== undefined ? `key ${newKey}` : `entry ${entry}`,
        problem: (added) => (newKey === undefined || (isPair(added) && keyOf(added) === newKey) ? undefined : `the new entry's key is not ${newKey}`),
      },
      (next) => next.clone(options),
    );
  }

  private planAppend(options: { path: YamlPath; value: string }): boolean {
    const { text, file } = this;
    const seq = this.collectionAt(options.path);
    if (!isSeq(seq)) throw new EditError(`${options.path.join('.')} is not a list`, file);
    if (seq.items.some((item) => isScalar(item) && item.value === options.value)) return false;
    const last = seq.items.at(-1) as Node | undefined;
    if (!last && !seq.flow) throw new EditError(`${options.path.join('.')} is an empty list; nothing to follow`, file);
    const rendered = renderLike(options.value, last);
    let change: Splice;
    if (seq.flow) {
      // The list from `[` to `]`, rewritten.
      const [open, close] = [seq.range![0], text.lastIndexOf(']', seq.range![1] - 1) + 1];
      const result = appendToFlowList(text, seq, rendered);
      change = { start: open, end: close, replacement: result.slice(open, close + result.length - text.length) };
    } else {
      const span = entrySpan(text, seq, last);
      const dash = dashBefore(text, last!.range![0]);
      // The dash's column and the blanks after it; not the last item's `&anchor` or `!tag`.
      const indent = text.slice(lineStart(text, dash), dash).replace(/[^ \t]/g, ' ');
      const prefix = `${indent}-${/^[ \t]*/.exec(text.slice(dash + 1))![0] || ' '}`;
      change = linesAt(text, nextLineStart(text, span.end), [prefix + rendered]);
    }
    return this.plan(
      {
        ...change,
        path: options.path,
        collection: seq,
        afterIndex: seq.items.length - 1,
        identity: `value ${options.value}`,
        problem: (added) => (isScalar(added) && added.value === options.value ? undefined : `the new list item does not read as ${JSON.stringify(options.value)}`),
      },
      (next) => next.append(options),
    );
  }

  private verify(resultText: string): void {
    const { file } = this;
    const invalid = (problem: Problem) => new EditError(`edit produced invalid YAML (${problem.message})`, file, problem.line);
    // Parsed here without the strict checks, so that a new anchor defined twice gets its own
    // message (with both lines); the strict checks come last.
    const after = parsedByText.get(resultText) ?? parseText(resultText);
    const error = after.errors[0];
    if (error) throw invalid({ message: error.message.split('\n')[0], line: error.linePos?.[0]?.line ?? lineNumber(resultText, error.pos[0]) });
    const added = new Map<unknown, Set<number>>();
    for (const group of groupByCollection(this.planned)) {
      const { collection, path } = group[0];
      const afterCollection = getCollection(after, this.pathAfter(path));
      if (!afterCollection || afterCollection.items.length !== collection.items.length + group.length) {
        throw new EditError(group.length === 1 ? 'edit did not add exactly one entry' : `edit did not add exactly ${group.length} entries`, file);
      }
      added.set(afterCollection, this.addedIndices(group, afterCollection, (problem) => { throw new EditError(problem, file); })!);
    }
    this.checkNewAnchors(added, resultText);
    // Without the new entries, the file must mean exactly what it meant before.
    if (!meansSameWithout(this.doc, after, added)) throw new EditError('edit changed the meaning of other entries', file);
    const problem = strictProblem(resultText, after);
    if (problem) throw invalid(problem);
    remember(resultText, after);
  }

  /**
   * The proof of verify, without parsing the whole result: each entry of the original that holds
   * planned insertions (the smallest one that starts a line of a block collection and holds them
   * all, or the entry around several of them) is parsed alone, as it reads in the result, and
   * must be one entry that means the original one plus exactly the new entries. The rest of the
   * result is the original byte for byte, and an entry of a block collection, from its first line
   * up to the next line that holds more than a comment, reads the same wherever it stands: that
   * next line is less or as much indented, so it ends the entry in the result as it did before.
   * Undefined when this cannot be shown (then the whole result is parsed, and its error
   * reported); otherwise each window's entry as parsed, placed in the result (see moveToResult).
   */
  private verifyByEntries(resultText: string): VerifiedEntry[] | undefined {
    const { text, doc } = this;
    const root = doc.contents as Node | null;
    // Directives (%YAML 1.1, %TAG) change how an entry reads; an entry parsed alone has none.
    if (!root?.range || /^%/m.test(text.slice(0, root.range[0]))) return undefined;
    const verified: VerifiedEntry[] = [];
    try {
      const windows: Array<{ start: number; end: number; depth: number; entry: Pair | Node; parent: YAMLMap | YAMLSeq; plans: Planned[] }> = [];
      for (const planned of this.planned) {
        const found = this.windowOf(planned);
        if (!found) return undefined;
        windows.push({ ...found, plans: [planned] });
      }
      // The outermost windows, each with every plan inside it.
      windows.sort((a, b) => a.start - b.start || b.end - a.end);
      const outer: typeof windows = [];
      for (const w of windows) {
        const last = outer.at(-1);
        if (last && w.start >= last.start && w.end <= last.end) last.plans.push(...w.plans);
        else if (last && w.start < last.end) return undefined;
        else outer.push(w);
      }
      const newAnchors = new Set<string>();
      const names = namesOf(doc);
      for (const w of outer) {
        const shift = this.offsetAfter(w.start) - w.start;
        const part = spliceAll(text.slice(w.start, w.end), w.plans.map((p) => ({ start: p.start - w.start, end: p.end - w.start, replacement: p.replacement })));
        const at = w.start + shift;
        if (resultText.slice(at, at + part.length) !== part) return undefined;
        const parsed = parseText(part);
        const definedBefore = (name: string) => newAnchors.has(name) || (names.anchors.get(name) ?? []).some((found) => (found.node.range?.[0] ?? Infinity) < w.start);
        if (strictProblem(part, parsed, definedBefore)) return undefined;
        const contents = parsed.contents;
        if (!isCollection(contents) || contents.flow || contents.items.length !== 1 || isMap(contents) !== isMap(w.parent) || isSeq(contents) !== isSeq(w.parent)) return undefined;
        const entry = contents.items[0] as Pair | Node;
        const added = new Map<unknown, Set<number>>();
        for (const group of groupByCollection(w.plans)) {
          const { collection, path } = group[0];
          const inside = this.pathAfter(path).slice(w.depth);
          let node: unknown = isPair(entry) ? entry.value : entry;
          for (const part of inside) node = isMap(node) ? (node.items as Pair[]).find((pair) => keyOf(pair) === String(part))?.value : isSeq(node) ? node.items[part as number] : undefined;
          if (!isCollection(node) || node.items.length !== collection.items.length + group.length) return undefined;
          const indices = this.addedIndices(group, node, () => false);
          if (!indices) return undefined;
          added.set(node, indices);
        }
        if (!sameWithout(w.entry, entry, added)) return undefined;
        this.checkNewAnchors(added, resultText, (node) => at + (node.range?.[0] ?? 0));
        verified.push({ parent: w.parent, original: w.entry, entry, at });
        for (const [collection, indices] of added) for (const index of indices) for (const { name } of definedAnchors((collection as YAMLMap | YAMLSeq).items[index])) newAnchors.add(name);
      }
      return verified;
    } catch (error) {
      // A new anchor defined twice is an answer, not a doubt.
      if (error instanceof EditError && /anchor/.test(error.message)) throw error;
      return undefined;
    }
  }

  /**
   * The result's document, made of the original's without parsing the result: verifyByEntries
   * showed that the result is the original text with each window's entry replaced, and that each
   * replaced entry reads, alone, as it reads in the result. So the original's nodes are moved to
   * their offsets in the result and each window's entry is put in as parsed. The original
   * document is taken over (a 5 MB file's document is as large again as the text's parse needs):
   * it leaves the cache, and reading it afterwards is an error, not a silently shifted tree.
   */
  private moveToResult(resultText: string, verified: VerifiedEntry[]): Document.Parsed {
    const { doc } = this;
    const moved = shifter(this.planned);
    moveRanges(doc.contents, moved);
    for (const { parent, original, entry, at } of verified) {
      shiftRanges(entry, at);
      const items = parent.items as unknown[];
      items[items.indexOf(original)] = entry;
    }
    // A copy of the document object (its node type too), holding the moved tree.
    const result = Object.create(Object.getPrototypeOf(doc) as object, Object.getOwnPropertyDescriptors(doc)) as Document.Parsed;
    result.range = [0, resultText.length, resultText.length];
    if (parsedByText.get(this.text) === doc) parsedByText.delete(this.text);
    retire(doc);
    return result;
  }

  /**
   * The window of verifyByEntries for one plan: the innermost entry around its collection that
   * starts its line in a block collection, from that line to the next line with more than a
   * comment; undefined when there is none.
   */
  private windowOf(planned: Planned): { start: number; end: number; depth: number; entry: Pair | Node; parent: YAMLMap | YAMLSeq } | undefined {
    const { text } = this;
    const chain: Array<{ parent: YAMLMap | YAMLSeq; entry: Pair | Node }> = [];
    let node: unknown = this.doc.contents;
    for (const part of planned.path) {
      if (isMap(node)) {
        const pair = pairOf(node, part);
        if (!pair) return undefined;
        chain.push({ parent: node, entry: pair });
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[part as number] as Node | undefined;
        if (!item) return undefined;
        chain.push({ parent: node, entry: item });
        node = item;
      } else return undefined;
    }
    if (node !== planned.collection) return undefined;
    for (let k = chain.length - 1; k >= 0; k--) {
      const { parent, entry } = chain[k];
      if (parent.flow) continue;
      const first = isPair(entry) ? (entry.key as Node | null)?.range?.[0] : isNode(entry) && entry.range ? dashBefore(text, entry.range[0]) : undefined;
      if (first === undefined) continue;
      const start = lineStart(text, first);
      if (!/^[ \t]*$/.test(text.slice(start, first))) continue;
      let end = nextLineStart(text, entrySpan(text, parent, entry).end);
      while (end < text.length && /^[ \t]*(#.*)?$/.test(text.slice(end, lineEnd(text, end)))) end = nextLineStart(text, end);
      if (start < planned.start && planned.end <= end) return { start, end, depth: k + 1, entry, parent };
    }
    return undefined;
  }

  /**
   * Where a group of plans for one collection put their entries in the result's collection, each
   * checked to read as meant; undefined (or the error of `fail`) when one does not.
   */
  private addedIndices(group: Planned[], afterCollection: YAMLMap | YAMLSeq, fail: (problem: string) => never | false): Set<number> | undefined {
    // Entries planned after the same one follow each other in the order planned.
    const indices = new Set<number>();
    const ordered = group.map((planned, order) => ({ planned, order })).sort((a, b) => a.planned.afterIndex - b.planned.afterIndex || a.order - b.order);
    for (const [rank, { planned }] of ordered.entries()) {
      const index = planned.afterIndex + 1 + rank;
      const problem = planned.problem?.(afterCollection.items[index]);
      if (problem) {
        fail(problem);
        return undefined;
      }
      indices.add(index);
    }
    return indices;
  }

  /**
   * An anchor defined twice would silently re-bind the aliases that follow the second one. The
   * unchanged part keeps its anchors (the tree comparison checks them), so only the new entries
   * can bring one: it must be new to the file, and defined once. `offsetOf` places a node of
   * the new entries in the result.
   */
  private checkNewAnchors(added: Map<unknown, Set<number>>, resultText: string, offsetOf: (node: Node) => number = (node) => node.range?.[0] ?? 0): void {
    const definedAt = new Map<string, number>();
    for (const [name, nodes] of namesOf(this.doc).anchors) definedAt.set(name, this.offsetAfter(this.text.lastIndexOf(`&${name}`, nodes[0].node.range?.[0] ?? 0)));
    for (const [collection, indices] of added) {
      for (const index of indices) {
        for (const { name, node } of definedAnchors((collection as YAMLMap | YAMLSeq).items[index])) {
          const at = resultText.lastIndexOf(`&${name}`, offsetOf(node));
          const other = definedAt.get(name);
          if (other !== undefined) {
            const lines = [other, at].sort((a, b) => a - b).map((offset) => lineNumber(resultText, Math.max(0, offset)));
            throw new EditError(`the new entry would define the anchor &${name} a second time (lines ${lines.join(' and ')})`, this.file, lines[0]);
          }
          definedAt.set(name, at);
        }
      }
    }
  }

  /** Where an offset of the original text is in the result. */
  private offsetAfter(offset: number): number {
    return offset + this.planned.filter((p) => p.end <= offset).reduce((shift, p) => shift + p.replacement.length - (p.end - p.start), 0);
  }

  /** Where a collection of the original document is in the result: list indices move past new entries. */
  private pathAfter(path: YamlPath): YamlPath {
    return path.map((part, i) => {
      if (typeof part !== 'number') return part;
      const parent = path.slice(0, i);
      return part + this.planned.filter((p) => p.afterIndex < part && samePath(p.path, parent)).length;
    });
  }
}

/** Two plans touch the same text (insertions at one point do not: they go in the order planned). */
function overlaps(a: Splice, b: Splice): boolean {
  if (a.start === a.end && b.start === b.end) return false;
  return a.start <= b.end && b.start <= a.end;
}

export function samePath(a: YamlPath, b: YamlPath): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

function groupByCollection(planned: Planned[]): Planned[][] {
  const groups = new Map<unknown, Planned[]>();
  for (const p of planned) {
    const group = groups.get(p.collection);
    if (group) group.push(p);
    else groups.set(p.collection, [p]);
  }
  return [...groups.values()];
}

function lastKey(collection: YAMLMap | YAMLSeq): string | number {
  return isMap(collection) ? keyOf(collection.items.at(-1) as Pair) : collection.items.length - 1;
}

function itemOf(collection: YAMLMap | YAMLSeq, key: string | number, file: string): unknown {
  const item = isMap(collection)
    ? collection.items.find((pair) => keyOf(pair as Pair) === key)
    : collection.items[key as number];
  if (item === undefined) throw new EditError(`no entry ${String(key)}`, file);
  return item;
}

/** The anchors defined inside an entry (a pair or a node), with their nodes, from the parsed tree. */
export function definedAnchors(item: unknown): Array<{ name: string; node: Node }> {
  const found: Array<{ name: string; node: Node }> = [];
  const walk = (node: unknown): void => {
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (node && typeof node === 'object' && !isAlias(node)) {
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) found.push({ name: anchor, node: node as Node });
      if (isCollection(node)) node.items.forEach(walk);
    }
  };
  walk(item);
  return found;
}

function anchorsIn(item: unknown): Set<string> {
  return new Set(definedAnchors(item).map((a) => a.name));
}

/**
 * Remove from the copy the anchors the rename left unchanged (`&name` and the blanks after it;
 * before a line end, the blanks before it too, so no trailing space is left).
 */
function dropUnrenamedAnchors(copy: string, anchors: Set<string>): string {
  let result = copy;
  for (const name of anchors) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`([ \\t]*)&${escaped}(?![^\\s,\\[\\]{}])([ \\t]*)(\\r?\\n|$)?`, 'g');
    result = result.replace(pattern, (_whole, before: string, _after: string, eol: string | undefined, offset: number) => {
      const atLineStart = offset === 0 || result[offset - 1] === '\n';
      if (eol !== undefined) return atLineStart ? before + eol : eol;
      return before;
    });
  }
  return result;
}

/**
 * True when the entries around the insertion point are separated by a blank line: the entry
 * inserted after and the one that follows it, or, after the last entry, the last two (a list
 * may group its entries, e.g. build steps apart from deploy steps). `commentsAbove` finds where
 * the comment lines that belong to the next entry start (they are not the gap).
 */
export function blankLineBetweenSiblings(
  text: string,
  collection: YAMLMap | YAMLSeq,
  afterItem: unknown,
  commentsAbove: (text: string, start: number) => number = leadingCommentLines,
): boolean {
  const items = collection.items as unknown[];
  if (items.length < 2) return false;
  const k = items.indexOf(afterItem);
  const [first, second] = k >= 0 && k + 1 < items.length ? [items[k], items[k + 1]] : [items.at(-2), items.at(-1)];
  const prev = entrySpan(text, collection, first);
  const next = entrySpan(text, collection, second);
  const between = text.slice(prev.end, commentsAbove(text, next.start));
  return /\n[ \t]*\r?\n/.test(between);
}


/** A scalar written the way a sibling is written (plain, single or double quotes). */
function renderLike(value: string, sibling: Node | undefined): string {
  const type = isScalar(sibling) ? sibling.type : Scalar.PLAIN;
  if (type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  const plainOk = /^[A-Za-z0-9_./][A-Za-z0-9_./*:-]*$/.test(value) && !/[:#]\s/.test(value) && !value.endsWith(':');
  // Plain only when it still reads as that string (not 4002, true, null, 1e3, ...).
  return plainOk && readsAsString(value) ? value : JSON.stringify(value);
}

function readsAsString(plain: string): boolean {
  const probe = parseDocument(plain, PARSE_OPTIONS);
  return probe.errors.length === 0 && isScalar(probe.contents) && probe.contents.value === plain;
}

/** A flow collection as a bracketed list: each entry's text (a pair from its key to its value's end) and its comma. */
function flowList(text: string, collection: YAMLMap | YAMLSeq): BracketList {
  const closer = isMap(collection) ? '}' : ']';
  const close = text.lastIndexOf(closer, collection.range![1] - 1);
  const spans = (collection.items as unknown[]).map((item) => {
    if (isPair(item)) {
      const key = item.key as Node;
      const value = item.value as Node | null;
      return [key.range![0], (value?.range ?? key.range!)[1]];
    }
    return (item as Node).range!.slice(0, 2);
  });
  const elements = spans.map(([start, end], k) => ({ start, end, comma: commaAfter(text, end, k + 1 < spans.length ? spans[k + 1][0] : close) }));
  return { open: collection.range![0], close, elements };
}

function appendToFlowList(text: string, seq: YAMLSeq, rendered: string): string {
  // range[1] ends right after `]`; a comment after the list may hold brackets of its own.
  const close = text.lastIndexOf(']', seq.range![1] - 1);
  const elements = seq.items.map((item, k) => {
    const [start, end] = (item as Node).range!;
    const until = k + 1 < seq.items.length ? (seq.items[k + 1] as Node).range![0] : close;
    const comma = commaAfter(text, end, until);
    return { start, end, comma };
  });
  return appendListElement(text, { open: seq.range![0], close, elements }, rendered);
}

/** The comma that follows a flow item, past blanks, line breaks and comments (which may hold commas). */
function commaAfter(text: string, from: number, until: number): number | undefined {
  let i = from;
  while (i < until) {
    if (text[i] === ',') return i;
    if (text[i] === '#') i = nextLineStart(text, i);
    else if (/\s/.test(text[i])) i++;
    else return undefined;
  }
  return undefined;
}

/** Every alias node (`*name`) in the document with the given anchor name, with its path. */
export function aliasesOf(doc: Document.Parsed, anchor: string): Array<{ node: Alias; path: YamlPath }> {
  return (namesOf(doc).aliases.get(anchor) ?? []) as Array<{ node: Alias; path: YamlPath }>;
}

/** Every node that defines the anchor `&name`, with its path (more than one only in a file that re-binds it). */
export function anchoredNodes(doc: Document.Parsed, anchor: string): Array<{ node: Node; path: YamlPath }> {
  return namesOf(doc).anchors.get(anchor) ?? [];
}

type NodesByName = Map<string, Array<{ node: Node; path: YamlPath }>>;
const namesByDocument = new WeakMap<Document.Parsed, { anchors: NodesByName; aliases: NodesByName }>();

/** The document's anchors and aliases by name, indexed once per document (a pipelines file is asked about each location). */
function namesOf(doc: Document.Parsed): { anchors: NodesByName; aliases: NodesByName } {
  let names = namesByDocument.get(doc);
  if (names) return names;
  const found = { anchors: new Map(), aliases: new Map() } as { anchors: NodesByName; aliases: NodesByName };
  eachNode(doc, (node, path) => {
    const [map, name] = isAlias(node) ? [found.aliases, node.source] : [found.anchors, (node as { anchor?: string }).anchor];
    if (!name) return;
    const list = map.get(name);
    if (list) list.push({ node, path: [...path] });
    else map.set(name, [{ node, path: [...path] }]);
  });
  names = found;
  namesByDocument.set(doc, names);
  return names;
}

/** The sequence item (with its index) that holds the node at `path`, e.g. `- step: *x`. */
export function enclosingSeqItem(path: YamlPath): { seqPath: YamlPath; index: number } | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    if (typeof path[i] === 'number') return { seqPath: path.slice(0, i), index: path[i] as number };
  }
  return undefined;
}

export { isMap, isSeq, isScalar, isPair, isAlias };
