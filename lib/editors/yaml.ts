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
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { deepEqual } from './toml.js';
import {
  appendListElement,
  EditError,
  insertLines,
  lineEnd,
  lineNumber,
  lineStart,
  nextLineStart,
  splitLines,
} from './text.js';

export type YamlPath = Array<string | number>;

const PARSE_OPTIONS = { merge: true, keepSourceTokens: false, prettyErrors: false } as const;

/** Parse, failing with the file and line of the first error. */
export function parseYaml(text: string, file: string): Document.Parsed {
  const doc = parseDocument(text, PARSE_OPTIONS);
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line ?? lineNumber(text, problem.pos[0]);
    throw new EditError(problem.message.split('\n')[0], file, line);
  }
  return doc;
}

export function toJs(doc: Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: -1 });
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
  const found: Array<{ node: Node; path: YamlPath }> = [];
  visit(doc, {
    Node(_key, node, ancestors) {
      const path = pathOf(ancestors, node);
      if (test(node, path)) found.push({ node, path });
    },
  });
  return found;
}

function pathOf(ancestors: readonly unknown[], node: unknown): YamlPath {
  const path: YamlPath = [];
  const chain = [...ancestors, node];
  for (let i = 1; i < chain.length; i++) {
    const parent = chain[i - 1];
    const child = chain[i];
    if (isSeq(parent)) path.push(parent.items.indexOf(child as never));
    else if (isPair(child) && isScalar(child.key)) path.push(String(child.key.value));
  }
  return path;
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

function dashBefore(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  if (text[i] !== '-') throw new EditError('expected a block sequence entry', undefined, lineNumber(text, offset));
  return i;
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
  const doc = parseYaml(text, options.file);
  const collection = requireCollection(doc, options);
  const sourceItem = itemOf(collection, options.source, options.file);
  const afterItem = itemOf(collection, options.after ?? lastKey(collection), options.file);
  if (isMap(collection) && options.newKey !== undefined && collection.has(options.newKey)) return text;

  const span = entrySpan(text, collection, sourceItem);
  const lead = leadingComments(text, span.start);
  const leadText = text.slice(lead, span.start);
  const leadRenamed = options.transform(leadText);
  let copy = (leadRenamed !== leadText ? leadRenamed : '') + options.transform(text.slice(span.start, span.end));
  copy = dropUnrenamedAnchors(copy, text.slice(span.start, span.end));

  const at = entrySpan(text, collection, afterItem).end;
  const lines = splitLines(copy);
  if (blankLineBetweenSiblings(text, collection)) lines.unshift('');
  const result = insertLines(text, nextLineStart(text, at), lines);
  verifyInsertion(doc, result, options, collection, afterItem);
  return result;
}

function requireCollection(doc: Document.Parsed, options: { file: string; path: YamlPath }): YAMLMap | YAMLSeq {
  const collection = getCollection(doc, options.path);
  if (!collection) throw new EditError(`no collection at ${options.path.join('.') || '(root)'}`, options.file);
  return collection;
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

/** Start of the run of comment lines directly above `start` (no blank line between). */
function leadingComments(text: string, start: number): number {
  let lead = start;
  while (lead > 0) {
    const prev = lineStart(text, lead - 1);
    if (!/^[ \t]*#/.test(text.slice(prev, lead))) break;
    lead = prev;
  }
  return lead;
}

function dropUnrenamedAnchors(copy: string, original: string): string {
  const anchor = /(?<=^|[ \t])&([A-Za-z0-9_][^\s,[\]{}]*)(?:[ \t]+|(?=\r?$))/gm;
  const kept = new Set([...original.matchAll(anchor)].map((m) => m[1]));
  return copy.replace(anchor, (whole, name: string) => (kept.has(name) ? '' : whole));
}

/** True when the collection's entries are separated by blank lines (look at the last two). */
function blankLineBetweenSiblings(text: string, collection: YAMLMap | YAMLSeq): boolean {
  if (collection.items.length < 2) return false;
  const prev = entrySpan(text, collection, collection.items.at(-2));
  const last = entrySpan(text, collection, collection.items.at(-1));
  const between = text.slice(prev.end, leadingComments(text, last.start));
  return /\n[ \t]*\r?\n/.test(between);
}

function verifyInsertion(
  before: Document.Parsed,
  resultText: string,
  options: { file: string; path: YamlPath },
  collection: YAMLMap | YAMLSeq,
  afterItem: unknown,
): void {
  const after = parseDocument(resultText, PARSE_OPTIONS);
  if (after.errors.length > 0) {
    throw new EditError(`edit produced invalid YAML (${after.errors[0].message.split('\n')[0]})`, options.file);
  }
  const afterCollection = getCollection(after, options.path);
  if (!afterCollection || afterCollection.items.length !== collection.items.length + 1) {
    throw new EditError('edit did not add exactly one entry', options.file);
  }
  // Remove the new entry again: what is left must mean exactly what the file meant before.
  const index = collection.items.indexOf(afterItem as never) + 1;
  afterCollection.items.splice(index, 1);
  if (!deepEqual(toJs(after), toJs(before))) throw new EditError('edit changed the meaning of other entries', options.file);
}

/**
 * Add a scalar to a sequence in the style of its last element: a block list gets a new `- x`
 * line with the same indentation and quoting, a flow list gets `, x` (on a new line if the list
 * spans lines, keeping a trailing comma habit). Unchanged when the value is already there.
 */
export function appendScalar(text: string, options: { file: string; path: YamlPath; value: string }): string {
  const doc = parseYaml(text, options.file);
  const seq = requireCollection(doc, options);
  if (!isSeq(seq)) throw new EditError(`${options.path.join('.')} is not a list`, options.file);
  if (seq.items.some((item) => isScalar(item) && item.value === options.value)) return text;
  const last = seq.items.at(-1) as Node | undefined;
  if (!last) throw new EditError(`${options.path.join('.')} is an empty list; nothing to follow`, options.file);
  const rendered = renderLike(options.value, last);
  let result: string;
  if (seq.flow) {
    result = appendToFlowList(text, seq, rendered);
  } else {
    const span = entrySpan(text, seq, last);
    const dash = dashBefore(text, last.range![0]);
    const prefix = text.slice(lineStart(text, dash), last.range![0]);
    result = insertLines(text, nextLineStart(text, span.end), [prefix + rendered]);
  }
  verifyInsertion(doc, result, options, seq, last);
  return result;
}

/** A scalar written the way a sibling is written (plain, single or double quotes). */
function renderLike(value: string, sibling: Node): string {
  const type = isScalar(sibling) ? sibling.type : isAlias(sibling) ? Scalar.PLAIN : Scalar.PLAIN;
  if (type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  const plainOk = /^[A-Za-z0-9_./][A-Za-z0-9_./*:-]*$/.test(value) && !/[:#]\s/.test(value) && !value.endsWith(':');
  return plainOk ? value : JSON.stringify(value);
}

function appendToFlowList(text: string, seq: YAMLSeq, rendered: string): string {
  const close = text.lastIndexOf(']', seq.range![2] - 1);
  const elements = seq.items.map((item, k) => {
    const [start, end] = (item as Node).range!;
    const until = k + 1 < seq.items.length ? (seq.items[k + 1] as Node).range![0] : close;
    const comma = text.indexOf(',', end);
    return { start, end, comma: comma !== -1 && comma < until ? comma : undefined };
  });
  return appendListElement(text, { open: seq.range![0], close, elements }, rendered);
}

/** Every alias node (`*name`) in the document with the given anchor name, with its path. */
export function aliasesOf(doc: Document.Parsed, anchor: string): Array<{ node: Alias; path: YamlPath }> {
  return findNodes(doc, (node) => isAlias(node) && node.source === anchor) as Array<{ node: Alias; path: YamlPath }>;
}

/** The sequence item (with its index) that holds the node at `path`, e.g. `- step: *x`. */
export function enclosingSeqItem(path: YamlPath): { seqPath: YamlPath; index: number } | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    if (typeof path[i] === 'number') return { seqPath: path.slice(0, i), index: path[i] as number };
  }
  return undefined;
}

export { isMap, isSeq, isScalar, isPair, isAlias };
