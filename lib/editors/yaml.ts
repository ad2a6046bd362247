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
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { deepEqual } from './toml.js';
import {
  appendListElement,
  leadingCommentLines,
  EditError,
  linesAt,
  lineEnd,
  lineNumber,
  lineStart,
  nextLineStart,
  spliceAll,
  splitLines,
  type Splice,
} from './text.js';

export type YamlPath = Array<string | number>;

const PARSE_OPTIONS = { merge: true, keepSourceTokens: false, prettyErrors: false } as const;

/**
 * Parsed documents by text, most recently used last. Editors parse the same text again and again
 * (every edit verifies its result, the next edit parses that result, the doctor re-reads what the
 * model read), so a hit saves a whole parse. Documents from here are shared: never mutate them.
 */
const parsedByText = new Map<string, Document.Parsed>();
const MAX_PARSED = 24;
const jsByDocument = new WeakMap<Document.Parsed, unknown>();

/** Parse (or reuse a parse of the same text), failing with the file and line of the first error. */
export function parseYaml(text: string, file: string): Document.Parsed {
  const cached = parsedByText.get(text);
  if (cached) {
    parsedByText.delete(text);
    parsedByText.set(text, cached);
    return cached;
  }
  const doc = parseDocument(text, PARSE_OPTIONS);
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line ?? lineNumber(text, problem.pos[0]);
    throw new EditError(problem.message.split('\n')[0], file, line);
  }
  parsedByText.set(text, doc);
  if (parsedByText.size > MAX_PARSED) parsedByText.delete(parsedByText.keys().next().value!);
  return doc;
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
  return same(before.contents, after.contents);
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

function collectFields(doc: Document.Parsed, node: unknown, fields: readonly string[], values: Record<string, unknown>, depth: number): void {
  const map = resolveAlias(doc, node);
  if (!isMap(map) || depth > 20) return;
  const merged: unknown[] = [];
  for (const item of map.items as Pair[]) {
    const key = isScalar(item.key) ? item.key.value : undefined;
    if (typeof key === 'symbol' || key === '<<') merged.push(...(isSeq(item.value) ? item.value.items : [item.value]));
    else if (fields.includes(String(key)) && !(String(key) in values)) {
      const value = resolveAlias(doc, item.value);
      values[String(key)] = isNode(value) ? value.toJS(doc, { maxAliasCount: -1 }) : value;
    }
  }
  for (const source of merged) collectFields(doc, source, fields, values, depth + 1);
}

/** The node an alias stands for (the last definition of its anchor before it); other nodes as they are. */
function resolveAlias(doc: Document.Parsed, node: unknown): unknown {
  if (!isAlias(node)) return node;
  const at = node.range?.[0] ?? Infinity;
  return anchoredNodes(doc, node.source).filter((found) => (found.node.range?.[0] ?? 0) < at).at(-1)?.node;
}

export function getCollection(doc: Document.Parsed, path: YamlPath): YAMLMap | YAMLSeq | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  return isCollection(node) ? (node as YAMLMap | YAMLSeq) : undefined;
}

/** Every node in the document, with its path, for searches like "every includePaths list". */
export function findNodes(
  doc: Document.Parsed,
  test: (node: Node, path: YamlPath) => boolean,
): Array<{ node: Node; path: YamlPath }> {
  return allNodes(doc).filter(({ node, path }) => test(node, path));
}

const nodesByDocument = new WeakMap<Document.Parsed, Array<{ node: Node; path: YamlPath }>>();

/**
 * Every node with its path, depth first, computed once per document (documents are shared and
 * never changed). A map key is listed with the path of its value.
 */
function allNodes(doc: Document.Parsed): Array<{ node: Node; path: YamlPath }> {
  let nodes = nodesByDocument.get(doc);
  if (nodes) return nodes;
  const found: Array<{ node: Node; path: YamlPath }> = [];
  const walk = (node: unknown, path: YamlPath): void => {
    if (!node || typeof node !== 'object') return;
    found.push({ node: node as Node, path });
    if (isSeq(node)) node.items.forEach((item, index) => walk(item, [...path, index]));
    else if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        const childPath = isScalar(pair.key) ? [...path, String(pair.key.value)] : path;
        walk(pair.key, childPath);
        walk(pair.value, childPath);
      }
    }
  };
  walk(doc.contents, []);
  nodes = found;
  nodesByDocument.set(doc, nodes);
  return nodes;
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
 * twice per entry. Plans are made against the original text; one that overlaps a plan already
 * made (a second element for the same flow list) is made again, on the result, in a second round.
 */
export class YamlEdits {
  readonly doc: Document.Parsed;
  private readonly planned: Planned[] = [];
  private readonly nextRound: Array<(next: YamlEdits) => void> = [];

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
    this.verify(result);
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

    const span = entrySpan(text, collection, sourceItem);
    const lead = leadingCommentLines(text, span.start);
    const leadText = text.slice(lead, span.start);
    const leadRenamed = options.transform(leadText);
    let sourceText = text.slice(span.start, span.end);
    // A map's first key on its `- ` line (`-   grpc_server:`): the copy is a key, not a new item.
    if (isPair(sourceItem)) {
      const before = text.slice(span.start, (sourceItem.key as Node).range![0]);
      if (/\S/.test(before)) sourceText = before.replace(/[^\t]/g, ' ') + sourceText.slice(before.length);
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
    let after: Document.Parsed;
    try {
      after = parseYaml(resultText, file);
    } catch (error) {
      const problem = error as EditError;
      throw new EditError(`edit produced invalid YAML (${problem.message.replace(/^.*?: /, '')})`, file, problem.line);
    }
    const added = new Map<unknown, Set<number>>();
    for (const group of groupByCollection(this.planned)) {
      const { collection, path } = group[0];
      const afterCollection = getCollection(after, this.pathAfter(path));
      if (!afterCollection || afterCollection.items.length !== collection.items.length + group.length) {
        throw new EditError(group.length === 1 ? 'edit did not add exactly one entry' : `edit did not add exactly ${group.length} entries`, file);
      }
      // Entries planned after the same one follow each other in the order planned.
      const indices = group
        .map((planned, order) => ({ planned, order }))
        .sort((a, b) => a.planned.afterIndex - b.planned.afterIndex || a.order - b.order)
        .map(({ planned }, rank) => {
          const index = planned.afterIndex + 1 + rank;
          const problem = planned.problem?.(afterCollection.items[index]);
          if (problem) throw new EditError(problem, file);
          return index;
        });
      added.set(afterCollection, new Set(indices));
    }
    this.checkNewAnchors(added, resultText);
    // Without the new entries, the file must mean exactly what it meant before.
    if (!meansSameWithout(this.doc, after, added)) throw new EditError('edit changed the meaning of other entries', file);
  }

  /**
   * An anchor defined twice would silently re-bind the aliases that follow the second one. The
   * unchanged part keeps its anchors (the tree comparison checks them), so only the new entries
   * can bring one: it must be new to the file, and defined once.
   */
  private checkNewAnchors(added: Map<unknown, Set<number>>, resultText: string): void {
    const definedAt = new Map<string, number>();
    for (const [name, nodes] of namesOf(this.doc).anchors) definedAt.set(name, this.offsetAfter(this.text.lastIndexOf(`&${name}`, nodes[0].node.range?.[0] ?? 0)));
    for (const [collection, indices] of added) {
      for (const index of indices) {
        for (const { name, node } of definedAnchors((collection as YAMLMap | YAMLSeq).items[index])) {
          const at = resultText.lastIndexOf(`&${name}`, node.range?.[0] ?? 0);
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
function definedAnchors(item: unknown): Array<{ name: string; node: Node }> {
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
 * may group its entries, e.g. build steps apart from deploy steps).
 */
function blankLineBetweenSiblings(text: string, collection: YAMLMap | YAMLSeq, afterItem: unknown): boolean {
  const items = collection.items as unknown[];
  if (items.length < 2) return false;
  const k = items.indexOf(afterItem);
  const [first, second] = k >= 0 && k + 1 < items.length ? [items[k], items[k + 1]] : [items.at(-2), items.at(-1)];
  const prev = entrySpan(text, collection, first);
  const next = entrySpan(text, collection, second);
  const between = text.slice(prev.end, leadingCommentLines(text, next.start));
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
  names = { anchors: new Map(), aliases: new Map() };
  for (const found of allNodes(doc)) {
    const [map, name] = isAlias(found.node) ? [names.aliases, found.node.source] : [names.anchors, (found.node as { anchor?: string }).anchor];
    if (!name) continue;
    const list = map.get(name);
    if (list) list.push(found);
    else map.set(name, [found]);
  }
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
