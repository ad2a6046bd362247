/**
 * The footprint of a location in a YAML file, found the same way in every YAML registry
 * (compose.yml, docker-stack.yml, workspace.yaml, bitbucket-pipelines.yml), and the three
 * operations built on it: replicate the source's constructs for a new location, list what a
 * location is missing, and take a location's constructs out again.
 *
 * A *mention* of a location is a scalar (key or value), an anchor or an alias that `mentions` it.
 * A mention belongs to the outermost collection item on its path that
 * - can stand for one location: a map pair whose key mentions it, or a list item whose *head*
 *   (its scalar, alias or anchor, or for a map its first key with that key's value, down to the
 *   first anchor or scalar) mentions it; a pair whose key names no location cannot be copied
 *   (the copy would repeat the key), nor a list item such as `- step: &run-tests` that only
 *   mentions the location deep inside;
 * - and mentions that location and no other known one.
 * That item is a *construct*. Its key is its path with the location's variants replaced by
 * placeholders and each list index replaced by the normalized head of the item, so the same
 * construct of two locations has the same key. Comment lines that document one location each
 * (`#   SERVICE_IMAGE_NAME_<UPPER> = dagster-<kebab>`, one line per location in a run of comment
 * lines) are constructs too. A mention in no construct is reported, never silently skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffArrays } from 'diff';
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, Scalar, type Alias, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { EditError, lineEnd, lineNumber, lineStart, nextLineStart, splice, spliceAll, splitLines, detectEol, type Splice } from '../editors/text.js';
import { anchoredNodes, blankLineBetweenSiblings, definedAnchors, entrySpan, keyOf, parseYaml, resolveAlias, YamlEdits, type YamlPath } from '../editors/yaml.js';
import { mentionPattern, mentions, mentionVariants, normalize, renameMentions } from './mentions.js';
import { commentForCopy, renameVariants, survivingVariants, variantPattern } from './prose.js';
import type { Monorepo, Reader } from '../monorepo.js';
import { escapeRegExp, type LocationNames } from '../naming.js';
import type { AddInput, Construct, Finding, LeftOut, LocationRef } from './registry.js';

export interface YamlConstruct extends Construct {
  location: LocationRef;
  /** A map pair, an item of a block list, an item of a flow list, or a comment line. */
  kind: 'pair' | 'item' | 'flow' | 'comment';
  /** The path of the collection that holds it (comment lines: empty). */
  path: YamlPath;
  collection?: YAMLMap | YAMLSeq;
  item?: unknown;
  /** Its index in the collection (comment lines: its line, 0-based). */
  index: number;
}

/** A mention that is in no construct: reported as not replicated, with why. */
export interface LooseMention {
  location: LocationRef;
  offset: number;
  line: number;
  what: string;
  why: string;
}

export interface YamlFootprint {
  constructs: YamlConstruct[];
  loose: LooseMention[];
}

export interface FootprintOptions {
  /** Every location the file may name; the one asked about is among them (or is added). */
  locations: readonly LocationRef[];
  /** Nodes not to look into, such as an embedded config another registry reads. */
  skip?: (node: Node, path: YamlPath) => boolean;
}

const same = (a: LocationRef, b: LocationRef) => a.names.snake === b.names.snake;

/** The locations with `location` among them once. */
export function withLocation(locations: readonly LocationRef[], location: LocationRef): LocationRef[] {
  return [...locations.filter((l) => !same(l, location)), location];
}

/** The locations a registry considers: the model's and any others the caller names (the doctor's orphans). */
export function knownLocations(input: { model: { locations: readonly LocationRef[] }; locations?: readonly LocationRef[] }): LocationRef[] {
  let all: LocationRef[] = [...input.model.locations];
  for (const extra of (input as { locations?: readonly LocationRef[] }).locations ?? []) all = withLocation(all, extra);
  return all;
}

/**
 * What a generator passes to a registry's add: the run's model and location, the staged texts,
 * and the disk's (for warnings' line numbers). Undefined without another location to copy.
 */
export function registryInput(
  ctx: { model: Monorepo; names: LocationNames; port: number; description: string; clickhouse: boolean },
  read: Reader,
): AddInput | undefined {
  const others = ctx.model.locations.filter((l) => l.names.snake !== ctx.names.snake);
  const source = others.find((l) => l.names.snake === ctx.model.canonical?.names.snake) ?? others.at(-1);
  if (!source) return undefined;
  const onDisk: Reader = (path) => {
    try {
      return readFileSync(join(ctx.model.root, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    model: ctx.model,
    read,
    onDisk,
    target: { names: ctx.names, port: ctx.port, hasClickhouse: ctx.clickhouse },
    source,
    description: ctx.description,
    clickhouse: ctx.clickhouse,
  };
}

// ------------------------------------------------------------------ the index of a document

/** Which known locations each node and pair of a document mentions, computed once per document and set of locations. */
export class YamlIndex {
  readonly doc: Document.Parsed;
  private readonly sets = new Map<unknown, Set<number>>();
  /** Ranges of block scalars: `#` lines inside them are text, not comments. */
  readonly blockScalars: Array<[number, number]> = [];
  private readonly patterns: RegExp[];
  /** Every variant text of every location, to find the few locations a text may mention. */
  private readonly prefilter: RegExp;
  private readonly byVariant = new Map<string, number[]>();
  private readonly byText: Map<string, Set<number>>;
  private runs?: CommentLine[][];
  private lineStarts?: number[];
  readonly footprints = new Map<number, YamlFootprint>();

  constructor(
    readonly text: string,
    readonly file: string,
    readonly locations: readonly LocationRef[],
    readonly skip?: (node: Node, path: YamlPath) => boolean,
  ) {
    this.doc = parseYaml(text, file);
    this.byText = textSets(locations);
    this.patterns = locations.map((l) => mentionPattern(l));
    locations.forEach((l, i) => {
      for (const v of mentionVariants(l)) {
        const list = this.byVariant.get(v) ?? [];
        if (!list.includes(i)) list.push(i);
        this.byVariant.set(v, list);
      }
    });
    const variants = [...this.byVariant.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.prefilter = new RegExp(variants.join('|') || '(?!)', 'g');
    this.setOf(this.doc.contents, skip && []);
  }

  /** The indices (into `locations`) that a node or pair mentions. */
  mentioned(node: unknown): Set<number> {
    return this.sets.get(node) ?? NONE;
  }

  indexOf(location: LocationRef): number {
    return this.locations.findIndex((l) => same(l, location));
  }

  /** The indices of the locations a text mentions (the mention rule), remembered by text. */
  textSet(text: string): Set<number> {
    const known = this.byText.get(text);
    if (known) return known;
    const candidates = new Set<number>();
    for (const m of text.matchAll(this.prefilter)) for (const i of this.byVariant.get(m[0]) ?? []) candidates.add(i);
    const set = new Set<number>();
    for (const i of candidates) {
      const pattern = this.patterns[i];
      pattern.lastIndex = 0;
      if (pattern.test(text)) set.add(i);
    }
    const found = set.size > 0 ? set : NONE;
    this.byText.set(text, found);
    return found;
  }

  /** The 1-based line of an offset (a binary search over the line starts, found once). */
  lineOf(offset: number): number {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private readonly normalizedByText = new Map<string, string>();

  /** A text with the location at `i`'s variants replaced by placeholders (remembered). */
  normalized(text: string, i: number): string {
    if (!this.says(text, i)) return text;
    const key = `${i}\u0000${text}`;
    let found = this.normalizedByText.get(key);
    if (found === undefined) {
      found = normalize(text, this.locations[i]);
      this.normalizedByText.set(key, found);
    }
    return found;
  }

  /** Whether a text mentions the location at `i`. */
  says(text: string, i: number): boolean {
    return this.textSet(text).has(i);
  }

  /** The comment-only lines not inside block scalars, in runs of adjacent lines (computed once). */
  commentRuns(): CommentLine[][] {
    this.runs ??= commentRuns(this);
    return this.runs;
  }

  /**
   * What a node mentions, kept only when it mentions something: most nodes of a large file name
   * no location, and a set per node was as large as the document itself. The path is only made
   * for `skip` (a path per node is garbage the size of the document).
   */
  private setOf(node: unknown, path: YamlPath | undefined): Set<number> {
    if (!node || typeof node !== 'object') return NONE;
    if (this.skip && !isPair(node) && this.skip(node as Node, path!)) {
      if (isScalar(node) && node.range) this.blockScalars.push([node.range[0], node.range[1]]);
      return NONE;
    }
    let set: Set<number>;
    if (isPair(node)) {
      const key = isScalar(node.key) ? String(node.key.value) : '';
      set = union(this.setOf(node.key, path), this.setOf(node.value, path && [...path, key]));
    } else if (isAlias(node)) {
      set = this.textSet(node.source);
    } else {
      const anchor = (node as { anchor?: string }).anchor;
      set = anchor ? this.textSet(anchor) : NONE;
      if (isScalar(node)) {
        set = union(set, this.textSet(String(node.value)));
        if ((node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) && node.range) this.blockScalars.push([node.range[0], node.range[1]]);
      } else if (isMap(node)) {
        for (const pair of node.items as Pair[]) set = union(set, this.setOf(pair, path));
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => (set = union(set, this.setOf(item, path && [...path, i]))));
      }
    }
    if (set.size > 0) this.sets.set(node, set);
    return set;
  }
}

/** The set of a node that mentions no location: shared, never changed (every set here is read only). */
const NONE: Set<number> = new Set();

/**
 * What each text mentions, by set of locations, shared by every index over those locations: the
 * index of an edit's result finds the unchanged scalars' answers here. A few sets are kept.
 */
const textSetsByLocations = new Map<string, Map<string, Set<number>>>();

function textSets(locations: readonly LocationRef[]): Map<string, Set<number>> {
  const key = locations.map((l) => `${l.names.snake}/${l.names.short}/${l.port ?? ''}`).join(' ');
  let sets = textSetsByLocations.get(key);
  if (!sets) {
    sets = new Map();
    textSetsByLocations.set(key, sets);
    if (textSetsByLocations.size > 4) textSetsByLocations.delete(textSetsByLocations.keys().next().value!);
  }
  return sets;
}

const indexes = new WeakMap<Document.Parsed, YamlIndex[]>();

/**
 * The index of a text for a set of locations, made once per parsed document (documents are
 * shared by text, see parseYaml): add, its verification and the generator's own checks ask the
 * same questions of the same text.
 */
export function yamlIndex(text: string, file: string, locations: readonly LocationRef[], skip?: (node: Node, path: YamlPath) => boolean): YamlIndex {
  const doc = parseYaml(text, file);
  const list = indexes.get(doc) ?? [];
  const sameLocations = (other: readonly LocationRef[]) => other.length === locations.length && other.every((l, i) => same(l, locations[i]) && l.port === locations[i].port && l.hasClickhouse === locations[i].hasClickhouse);
  const found = list.find((i) => i.skip === skip && i.file === file && sameLocations(i.locations));
  if (found) return found;
  const index = new YamlIndex(text, file, locations, skip);
  indexes.set(doc, [...list.slice(-3), index]);
  return index;
}

/** A ∪ b, one of them when it holds the other (sets are shared: never changed in place). */
function union(a: Set<number>, b: Set<number>): Set<number> {
  if (a === b || b.size === 0) return a;
  if (a.size === 0) return b;
  if (b.size <= a.size && [...b].every((i) => a.has(i))) return a;
  if (a.size < b.size && [...a].every((i) => b.has(i))) return b;
  return new Set([...a, ...b]);
}

/**
 * The head of a list item, as text: its scalar, alias or anchor; for a map, its first key and
 * that key's value's head, down to the first anchor or scalar (`step &build-push-x`,
 * `grpc_server host x`).
 */
export function headText(node: unknown): string {
  if (isAlias(node)) return `*${node.source}`;
  if (!node || typeof node !== 'object') return '';
  const anchor = (node as { anchor?: string }).anchor;
  if (anchor) return `&${anchor}`;
  if (isScalar(node)) return String(node.value);
  if (isMap(node) && node.items.length > 0) {
    const first = node.items[0] as Pair;
    const rest = headText(first.value);
    return rest ? `${keyOf(first)} ${rest}` : keyOf(first);
  }
  return '';
}

// ------------------------------------------------------------------ footprint

/** Every construct of `location` in the indexed document, and its mentions that are in none. */
export function yamlFootprint(index: YamlIndex, location: LocationRef): YamlFootprint {
  const me = index.indexOf(location);
  if (me === -1) throw new Error(`${location.names.snake} is not among the indexed locations`);
  const known = index.footprints.get(me);
  if (known) return known;
  const constructs: YamlConstruct[] = [];
  const loose: LooseMention[] = [];
  const says = (text: string) => index.says(text, me);
  const others = (set: Set<number>) => [...set].filter((i) => i !== me).map((i) => index.locations[i].names.snake);
  const looseAt = (node: Node | undefined, what: string, set: Set<number>) => {
    const offset = node?.range?.[0] ?? 0;
    const names = others(set);
    loose.push({
      location,
      offset,
      line: index.lineOf(offset),
      what,
      why: names.length > 0 ? `that entry also names ${names.join(', ')}` : 'it is not in an entry of its own',
    });
  };

  const visit = (node: unknown, path: YamlPath, keyParts: string[]): void => {
    if (!node || typeof node !== 'object') return;
    if (index.skip && index.skip(node as Node, path)) return;
    const own = (node as { anchor?: string }).anchor;
    if (own && says(own)) looseAt(node as Node, `the anchor &${own}`, index.mentioned(node));
    if (isMap(node)) {
      (node.items as Pair[]).forEach((pair, i) => {
        const set = index.mentioned(pair);
        if (!set.has(me)) return;
        const key = keyText(pair);
        const part = index.normalized(key, me);
        if (says(key) && set.size === 1) {
          constructs.push(makeConstruct(index, location, 'pair', node, pair, i, path, [...keyParts, part], node.flow ? undefined : [...path, key].join('.')));
          return;
        }
        if (isScalar(pair.key) && says(key)) looseAt(pair.key, `the key ${key}`, set);
        visit(pair.value, [...path, key], [...keyParts, part]);
      });
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const set = index.mentioned(item);
        if (!set.has(me)) return;
        const head = headText(item);
        const part = `[${index.normalized(head, me)}]`;
        if (says(head) && set.size === 1) {
          constructs.push(makeConstruct(index, location, node.flow ? 'flow' : 'item', node, item, i, path, [...keyParts, part]));
          return;
        }
        if (isScalar(item) || isAlias(item)) looseAt(item as Node, `the list item ${head}`, set);
        else visit(item, [...path, i], [...keyParts, part]);
      });
    } else if (isScalar(node) || isAlias(node)) {
      const value = isAlias(node) ? `*${node.source}` : String(node.value);
      if (says(isAlias(node) ? node.source : value)) looseAt(node, `${path.join('.') || 'the document'}: ${oneLine(value)}`, index.mentioned(node));
    }
  };
  visit(index.doc.contents, [], []);
  commentConstructs(index, location, constructs, loose);
  constructs.sort((a, b) => a.start - b.start);
  const footprint = { constructs, loose };
  index.footprints.set(me, footprint);
  return footprint;
}

/** A map key as written (`<<` for a merge key, which the parser reads as a symbol). */
function keyText(pair: Pair): string {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol' ? '<<' : keyOf(pair);
}

function oneLine(value: string): string {
  const first = value.split('\n')[0];
  return first.length > 60 || value.includes('\n') ? `${first.slice(0, 60)}…` : first;
}

function makeConstruct(
  index: YamlIndex,
  location: LocationRef,
  kind: YamlConstruct['kind'],
  collection: YAMLMap | YAMLSeq,
  item: unknown,
  position: number,
  path: YamlPath,
  keyParts: string[],
  what?: string,
): YamlConstruct {
  const { text } = index;
  let start: number;
  let end: number;
  if (kind === 'flow' || collection.flow) {
    const node = (isPair(item) ? item.key : item) as Node;
    start = node.range![0];
    end = (isPair(item) ? ((item.value as Node | null)?.range ?? node.range!) : node.range!)[1];
  } else {
    const span = entrySpan(text, collection, item);
    start = ownLead(text, span.start);
    end = nextLineStart(text, span.end);
  }
  const head = isPair(item) ? keyOf(item) : headText(item);
  return {
    key: keyParts.join(' > '),
    what: what ?? `${path.join('.') || 'the list'} entry ${oneLine(head)}`,
    start,
    end,
    line: index.lineOf(start),
    location,
    kind: collection.flow ? 'flow' : kind,
    path,
    collection,
    item,
    index: position,
  };
}

/**
 * The comment lines right above an entry that belong to it: a run of comment lines with no blank
 * line between, at the entry's own indentation (a deeper one belongs to the entry before, a
 * shallower one is a section heading).
 */
export function ownLead(text: string, start: number): number {
  const indent = /^[ \t]*/.exec(text.slice(start))![0].length;
  let lead = start;
  while (lead > 0) {
    const prev = lineStart(text, lead - 1);
    const m = /^([ \t]*)#/.exec(text.slice(prev, lead));
    if (!m || m[1].length !== indent) break;
    lead = prev;
  }
  return lead;
}

interface CommentLine {
  start: number;
  end: number;
  line: number;
  body: string;
}

/** The comment-only lines of a text that are not inside block scalars, grouped in runs of adjacent lines. */
function commentRuns(index: YamlIndex): CommentLine[][] {
  const { text } = index;
  const blocks = [...index.blockScalars].sort((a, b) => a[0] - b[0]);
  let b = 0;
  const runs: CommentLine[][] = [];
  let run: CommentLine[] = [];
  let line = 1;
  for (let at = 0; at < text.length; at = nextLineStart(text, at), line++) {
    while (b < blocks.length && blocks[b][1] <= at) b++;
    // Block scalars do not overlap: the first one that ends after this line is the only candidate.
    const inBlock = b < blocks.length && blocks[b][0] < at && at < blocks[b][1];
    const content = text.slice(at, lineEnd(text, at));
    if (!inBlock && /^[ \t]*#/.test(content)) {
      run.push({ start: at, end: nextLineStart(text, at), line, body: content });
      continue;
    }
    if (run.length > 0) runs.push(run);
    run = [];
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const shape = (normalized: string) => normalized.replace(/[ \t]+/g, ' ').trim();

/** Comment lines outside constructs: one line per location in a run (a construct), or a loose mention. */
function commentConstructs(index: YamlIndex, location: LocationRef, constructs: YamlConstruct[], loose: LooseMention[]): void {
  const inConstruct = (offset: number) => constructs.some((c) => offset >= c.start && offset < c.end);
  const me = index.indexOf(location);
  for (const run of index.commentRuns()) {
    for (const comment of run) {
      if (!index.says(comment.body, me) || inConstruct(comment.start)) continue;
      const others = [...index.textSet(comment.body)].filter((i) => i !== me).map((i) => index.locations[i]);
      const key = shape(index.normalized(comment.body, me));
      const sibling =
        others.length === 0 &&
        run.some((c) => {
          if (c === comment) return false;
          const set = index.textSet(c.body);
          return set.size === 1 && !set.has(me) && shape(index.normalized(c.body, [...set][0])) === key;
        });
      if (sibling) {
        constructs.push({
          key: `# ${key}`,
          what: `the comment line "${comment.body.trim()}"`,
          start: comment.start,
          end: comment.end,
          line: comment.line,
          location,
          kind: 'comment',
          path: [],
          index: comment.line - 1,
        });
      } else {
        loose.push({
          location,
          offset: comment.start,
          line: comment.line,
          what: `the comment "${oneLine(comment.body.trim())}"`,
          why: others.length > 0 ? `it also names ${others.map((l) => l.names.snake).join(', ')}` : 'it is not one line per location',
        });
      }
    }
  }
}

// ------------------------------------------------------------------ counterparts

/** A construct that belongs to the ClickHouse phase: it names the location's `clickhouse/` package. */
export function needsClickhouse(construct: YamlConstruct): boolean {
  return /\{snake\}\/clickhouse(?![A-Za-z0-9_])/.test(construct.key);
}

/**
 * The source's constructs that the target has no counterpart of (same key): the one function
 * behind both add and audit. ClickHouse constructs count only for a location with ClickHouse.
 */
export function missingConstructs(source: readonly YamlConstruct[], target: readonly YamlConstruct[], location: LocationRef): YamlConstruct[] {
  const have = new Set(target.map((c) => c.key));
  const seen = new Set<string>();
  return source.filter((c) => {
    if (have.has(c.key) || seen.has(c.key)) return false;
    seen.add(c.key);
    return !needsClickhouse(c) || Boolean(location.hasClickhouse);
  });
}

/**
 * The location whose constructs a file's new or audited location copies: the preferred one (the
 * canonical) when it has constructs here and lacks none that every other location here has;
 * else the one with the most (the last of them in the file on a tie).
 */
export function sourceIn(index: YamlIndex, preferred: LocationRef | undefined, exclude?: LocationRef): { source: LocationRef; footprint: YamlFootprint } | undefined {
  const candidates = index.locations.filter((l) => !exclude || !same(l, exclude));
  const footprints = candidates.map((source) => ({ source, footprint: yamlFootprint(index, source) })).filter((f) => f.footprint.constructs.length > 0);
  const keys = (f: { footprint: YamlFootprint }) => new Set(f.footprint.constructs.filter((c) => c.kind !== 'comment').map((c) => c.key));
  const mine = preferred && footprints.find((f) => same(f.source, preferred));
  if (mine && keys(mine).size > 0) {
    const own = keys(mine);
    const others = footprints.filter((f) => f !== mine).map(keys);
    const lacks = others.length > 0 && [...others[0]].some((key) => !own.has(key) && others.every((o) => o.has(key)));
    if (!lacks) return mine;
  }
  let best: { source: LocationRef; footprint: YamlFootprint } | undefined;
  for (const f of footprints) {
    const size = f.footprint.constructs.length;
    if (!best || size > best.footprint.constructs.length || (size === best.footprint.constructs.length && f.footprint.constructs[0].start > best.footprint.constructs[0].start)) best = f;
  }
  return best;
}

// ------------------------------------------------------------------ pattern and particulars

/**
 * Settings whose values are usually sized or timed for one service or step: listed for a
 * reviewer when a construct is copied whole (its source has no sibling to compare with).
 */
const LOOKS_PARTICULAR = /(^|\.)(resources|replicas|limits|reservations|mem_limit|mem_reservation|memswap_limit|cpus|cpu_shares|shm_size|size|max-time|healthcheck\.(interval|timeout|retries|start_period|start_interval))(\.|\[|$)/;

/** A settings path, relative to a construct, that a registry writes for every location (never a particular). */
export type KeepPath = (path: string) => boolean;

/** Every leaf below a node, as `path: value`, with the node to give its line; a flow collection is one leaf, as written. */
function leaves(node: unknown, prefix: string, text = ''): Array<{ path: string; value: string; node?: Node }> {
  if (isCollection(node) && node.flow && node.range && text) return [{ path: prefix, value: text.slice(node.range[0], node.range[1]).trim(), node }];
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (isMap(node)) return (node.items as Pair[]).flatMap((pair) => leaves(pair.value, join(keyText(pair)), text).map((l) => ({ ...l, node: l.node ?? (pair.key as Node) })));
  if (isSeq(node)) return node.items.flatMap((item, i) => leaves(item, `${prefix}[${i}]`, text));
  if (isAlias(node)) return [{ path: prefix, value: `*${node.source}`, node }];
  return [{ path: prefix, value: isScalar(node) ? String(node.value) : '', node: (node as Node | null) ?? undefined }];
}

/** The node a value stands for: an alias resolved to its anchor's node. */
function resolved(index: YamlIndex, node: unknown): unknown {
  return resolveAlias(index.doc, node);
}

/** The keys of a map, normalized by its location, with the keys it takes from `<<:` merges. */
function mapKeys(index: YamlIndex, map: YAMLMap, me: number): Set<string> {
  const keys = new Set<string>();
  for (const pair of map.items as Pair[]) {
    const key = keyText(pair);
    if (key !== '<<') {
      keys.add(index.normalized(key, me));
      continue;
    }
    const merged = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const m of merged) {
      const source = resolved(index, m);
      if (isMap(source)) for (const k of mapKeys(index, source, me)) keys.add(k);
    }
  }
  return keys;
}

/** A list item as text, with its location's variants as placeholders and spacing collapsed. */
function itemShape(index: YamlIndex, item: unknown, me: number): string {
  const range = (item as Node | null)?.range;
  const raw = isAlias(item) ? `*${item.source}` : isScalar(item) ? String(item.value) : range ? index.text.slice(range[0], range[1]) : '';
  return shape(index.normalized(raw, me));
}

/** A ClickHouse part is judged only against siblings that have ClickHouse (the new location may want it). */
const isClickhousePart = (normalized: string) => /\{snake\}\/clickhouse(?![A-Za-z0-9_])|CLICKHOUSE_/.test(normalized);

/**
 * The one predicate of the pattern rule for YAML: what of the source's construct only the source
 * has, against the same construct of its siblings (other locations, not the target), compared by
 * structure with each location's names as placeholders. A map key no sibling has (nor takes from
 * a `<<:` merge) is the source's own and is left out, and so is a list item no sibling has where
 * every sibling's list is part of the source's (the source only added to the pattern); a `<<:`
 * merge key is shared. A key every sibling takes from one shared anchor (`deploy: *deploy`) is
 * written that way instead of the source's own value. Without siblings nothing is left out: the
 * values that look particular are listed as copied. Add and audit agree without asking: a
 * particular is inside a construct, and audit compares constructs.
 */
export function patternShape(index: YamlIndex, construct: YamlConstruct, siblings: readonly YamlConstruct[], file: string, keep?: KeepPath): CopyShape {
  const { text } = index;
  const source = construct.location;
  const me = index.indexOf(source);
  const label = isPair(construct.item) ? keyOf(construct.item) : '';
  const where = isPair(construct.item) ? '' : ` of the list entry ${oneLine(headText(construct.item))}`;
  const value = (item: unknown) => (isPair(item) ? item.value : item);
  if (siblings.length === 0) {
    const leftOut = leaves(value(construct.item), label, index.text)
      .filter((leaf) => LOOKS_PARTICULAR.test(leaf.path.slice(label ? label.length + 1 : 0)))
      .map((leaf) => ({
        file,
        line: index.lineOf(leaf.node?.range?.[0] ?? construct.start),
        what: `${leaf.path}: ${leaf.value}${where}`,
        why: `copied from ${source.names.snake}, the only location in this file with it; check that it suits the new location`,
        copied: true,
      }));
    return { changes: [], leftOut };
  }
  const changes: Splice[] = [];
  const leftOut: LeftOut[] = [];
  const eol = detectEol(text);
  const relative = (path: string) => (label ? path.slice(label.length + 1) : path);
  // An entry that starts a `- ` line cannot go without its item.
  const ownLine = (node: Node) => /^[ \t]*$/.test(text.slice(lineStart(text, node.range![0]), node.range![0]));
  const leaveOut = (node: unknown, span: { start: number; end: number }, path: string, why: string, replacement?: { line: string; value: string }) => {
    changes.push({ start: replacement ? span.start : ownLead(text, span.start), end: nextLineStart(text, span.end), replacement: replacement?.line ?? '' });
    // A list item is one particular: its settings on one line (`develop.watch[1]: action: rebuild, path: …`).
    if (/\]$/.test(path) && !isScalar(node) && !isAlias(node)) {
      const parts = leaves(node, '', text).map((leaf) => `${leaf.path}: ${leaf.value}`);
      leftOut.push({ file, line: index.lineOf(span.start), what: `${path}: ${parts.join(', ')}${where}`, why });
      return;
    }
    for (const leaf of leaves(node, path, text)) {
      if (leaf.value === replacement?.value) continue;
      leftOut.push({ file, line: index.lineOf(leaf.node?.range?.[0] ?? span.start), what: `${leaf.path}: ${leaf.value}${where}`, why });
    }
  };
  const only = `only ${source.names.snake} has it; no other location's counterpart does`;
  // An anchor of no location's (`*deploy` of `x-deploy`), not a sibling's own value (`*image`, `*build-push-x`).
  const isSharedAlias = (node: unknown): node is Alias => {
    if (!isAlias(node) || index.textSet(node.source).size > 0) return false;
    const at = (resolved(index, node) as Node | undefined)?.range?.[0];
    return at !== undefined && ![construct, ...siblings].some((c) => at >= c.start && at < c.end);
  };
  const compareMap = (own: YAMLMap, theirs: Array<{ node: unknown; me: number }>, path: string) => {
    if (own.flow) return;
    const maps = theirs.map((t) => ({ node: resolved(index, t.node), me: t.me })).filter((t) => isMap(t.node)) as Array<{ node: YAMLMap; me: number }>;
    const keySets = maps.map((t) => mapKeys(index, t.node, t.me));
    const kept = (own.items as Pair[]).filter((pair) => {
      const key = keyText(pair);
      const here = path ? `${path}.${key}` : key;
      const normalized = index.normalized(key, me);
      if (key === '<<' || (keep && keep(relative(here)))) return true;
      const judges = isClickhousePart(normalized) ? keySets.filter((_k, i) => Boolean(index.locations[maps[i].me].hasClickhouse)) : keySets;
      return judges.length === 0 || judges.some((keys) => keys.has(normalized)) || !ownLine(pair.key as Node);
    });
    for (const pair of own.items as Pair[]) {
      const key = keyText(pair);
      const here = path ? `${path}.${key}` : key;
      const span = entrySpan(text, own, pair);
      if (!kept.includes(pair)) {
        if (kept.length > 0) leaveOut(pair.value, span, here, only);
        continue;
      }
      if (key === '<<') continue;
      const normalized = index.normalized(key, me);
      const counterparts = maps.map((t) => ({ pair: (t.node.items as Pair[]).find((p) => index.normalized(keyText(p), t.me) === normalized), me: t.me }));
      const aliases = counterparts.map((c) => (c.pair && isSharedAlias(c.pair.value) ? c.pair.value.source : undefined));
      const shared = aliases[0];
      if (shared !== undefined && aliases.every((a) => a === shared) && !(isAlias(pair.value) && pair.value.source === shared)) {
        const keyNode = pair.key as Node;
        const line = `${text.slice(lineStart(text, keyNode.range![0]), keyNode.range![1])}: *${shared}${eol}`;
        leaveOut(pair.value, span, here, `the other locations share ${key}: *${shared}; the new one uses it too, not ${source.names.snake}'s own ${key}`, { line, value: `*${shared}` });
        continue;
      }
      const present = counterparts.filter((c) => c.pair !== undefined).map((c) => ({ node: c.pair!.value, me: c.me }));
      if (isMap(pair.value)) compareMap(pair.value, present, here);
      else if (isSeq(pair.value)) compareSeq(pair.value, present, here);
    }
  };
  const compareSeq = (own: YAMLSeq, theirs: Array<{ node: unknown; me: number }>, path: string) => {
    if (own.flow || theirs.length === 0) return;
    const lists = theirs.map((t) => ({ node: resolved(index, t.node), me: t.me }));
    if (!lists.every((l) => isSeq(l.node))) return;
    const mine = own.items.map((item) => itemShape(index, item, me));
    const shapes = lists.map((l) => (l.node as YAMLSeq).items.map((item) => itemShape(index, item, l.me)));
    // The siblings' lists differ from the source's in more than additions: each location has its own list.
    if (!shapes.every((list) => list.every((s) => mine.includes(s)))) return;
    const extra = own.items.filter((_item, i) => !isClickhousePart(mine[i]) && !shapes.some((list) => list.includes(mine[i])));
    if (extra.length === own.items.length) return;
    for (const item of extra) leaveOut(item, entrySpan(text, own, item), `${path}[${own.items.indexOf(item)}]`, only);
  };
  const root = value(construct.item);
  const theirs = siblings.map((s) => ({ node: value(s.item), me: index.indexOf(s.location) }));
  if (isMap(root)) compareMap(root, theirs, label);
  return { changes, leftOut };
}

// ------------------------------------------------------------------ replicate

export interface CopyShape {
  /** Changes to the source's text inside the construct, in offsets of the file, made before the rename. */
  changes: Splice[];
  leftOut: LeftOut[];
}

export interface ReplicateOptions {
  file: string;
  source: LocationRef;
  target: LocationRef;
  /** Every known location (the source and the target among them). */
  locations: readonly LocationRef[];
  description: string;
  skip?: (node: Node, path: YamlPath) => boolean;
  /** The file as it is on disk, for the line numbers of warnings (default: `text`). */
  onDisk?: string;
  /** Settings the registry writes for every location, never left out as a particular (see patternShape). */
  keep?: KeepPath;
  /** Registry-specific refusals, before anything is planned. */
  conflicts?: (index: YamlIndex, source: YamlFootprint, target: YamlFootprint, diskLine: (line: number) => number) => void;
}

export interface ReplicateResult {
  text: string;
  warnings: string[];
  leftOut: LeftOut[];
  /** The source's constructs that were copied. */
  added: YamlConstruct[];
}

/**
 * Replicate every construct of the source that the target has no counterpart of, each after the
 * last sibling construct with the same key (a renamed copy; comment lines aligned like their
 * siblings), in one batch that is parsed once to locate and once to verify (a large file: its
 * edited entries only, see YamlEdits). The copies are then checked by meaning: the target has
 * every construct the source has, each alias in a copy resolves inside the copy or to a shared
 * anchor (not to one of the source's own values), and no variant of the source's name is left
 * in them.
 */
export function replicate(text: string, options: ReplicateOptions): ReplicateResult {
  const { file, source } = options;
  const target = options.target;
  const locations = withLocation(withLocation(options.locations, source), target);
  const index = yamlIndex(text, file, locations, options.skip);
  const sourceFp = yamlFootprint(index, source);
  const targetFp = yamlFootprint(index, target);
  const diskLine = (line: number) => lineOnDisk(text, options.onDisk, line);
  options.conflicts?.(index, sourceFp, targetFp, diskLine);
  refuseUnrelated(index, sourceFp, targetFp, source, target, diskLine);
  const missing = missingConstructs(sourceFp.constructs, targetFp.constructs, target);
  // An anchor a copy would define that the file already has: refused, on the line on disk.
  for (const c of missing) {
    for (const { name } of definedAnchors(c.item)) {
      const renamed = renameMentions(name, source, target);
      const existing = renamed !== name ? anchorLine(index, renamed) : undefined;
      if (existing !== undefined) throw new EditError(`the anchor &${renamed} that ${target.names.snake}'s copy of ${c.what} needs is already defined`, file, lineOnDisk(text, options.onDisk, existing));
    }
  }
  const leftOut: LeftOut[] = [];
  for (const c of sourceFp.constructs) {
    if (needsClickhouse(c) && !target.hasClickhouse && !targetFp.constructs.some((t) => t.key === c.key)) {
      leftOut.push({ file, line: lineOnDisk(text, options.onDisk, c.line), what: c.what, why: `it is ${source.names.snake}'s ClickHouse part; ${target.names.snake} has no ClickHouse` });
    }
  }
  const warnings = sourceFp.loose.map(
    (m) => `${file}:${lineOnDisk(text, options.onDisk, m.line)}: ${m.what} names ${source.names.snake}; not replicated for ${target.names.snake} because ${m.why}.`,
  );
  if (missing.length === 0) return { text, warnings, leftOut, added: [] };

  let result = text;
  const entries = missing.filter((c) => c.kind !== 'comment');
  if (entries.length > 0) {
    const edits = new YamlEdits(text, file);
    const all = locations.filter((l) => !same(l, target)).map((l) => (same(l, source) ? sourceFp.constructs : yamlFootprint(index, l).constructs));
    const runAfter = runPlacements(sourceFp.constructs, all.flat());
    const copiedOut: LeftOut[] = [];
    for (const c of entries) {
      const siblings = all.flat().filter((s) => s.key === c.key && !same(s.location, source));
      const shaped = patternShape(index, c, siblings, file, options.keep);
      leftOut.push(...shaped.leftOut.map((l) => ({ ...l, line: l.line && lineOnDisk(text, options.onDisk, l.line) })));
      const planned = planCopy(edits, index, c, all.flat(), { ...options, target, locations }, shaped.changes, runAfter.get(c), copiedOut);
      leftOut.push(...copiedOut.splice(0).map((l) => ({ ...l, line: l.line && lineOnDisk(text, options.onDisk, l.line) })));
      if (planned) warnings.push(`${file}:${lineOnDisk(text, options.onDisk, c.line)}: ${c.what} is ${planned}; add ${target.names.snake}'s counterpart by hand.`);
    }
    result = edits.apply();
    verifyCopies(result, file, entries, source, target, locations, options.skip);
  }
  // Comment lines last: they change no meaning, so they need no YAML verification; each goes
  // right after the line of its last sibling, wherever the entries moved that line.
  const comments = missing.filter((c) => c.kind === 'comment');
  if (comments.length > 0) result = addCommentLines(text, result, comments, index, options, locations);
  return { text: result, warnings, leftOut, added: missing };
}

/**
 * A construct of the target with the key of one of the source's, but another meaning (a step of
 * its own that happens to own the anchor the new location's step needs): refused. Same meaning
 * is judged by the scalars that name the location: the existing one must share at least half of
 * the source's, each written for its own location.
 */
function refuseUnrelated(index: YamlIndex, sourceFp: YamlFootprint, targetFp: YamlFootprint, source: LocationRef, target: LocationRef, diskLine: (line: number) => number): void {
  for (const t of targetFp.constructs) {
    const s = sourceFp.constructs.find((c) => c.key === t.key);
    if (!s || s.kind === 'comment') continue;
    const a = namingScalars(s.item, source);
    if (a.size === 0) continue;
    const b = namingScalars(t.item, target);
    const shared = [...a].filter((x) => b.has(x)).length;
    if (shared * 2 < a.size) {
      throw new EditError(
        `${t.what} already exists for ${target.names.snake} with another meaning (it does not read like ${source.names.snake}'s ${s.what}, line ${diskLine(s.line)}); rename or remove it first`,
        index.file,
        diskLine(t.line),
      );
    }
  }
}

/** The normalized scalars below an entry's head that name the location. */
function namingScalars(item: unknown, location: LocationRef): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown, depth: number) => {
    if (isPair(node)) {
      walk(node.key, depth);
      walk(node.value, depth);
    } else if (isScalar(node)) {
      const value = String(node.value);
      if (depth > 0 && mentions(value, location)) found.add(normalize(value, location));
    } else if (isCollection(node)) node.items.forEach((child) => walk(child, depth + 1));
  };
  if (isPair(item)) walk(item.value, 1);
  else walk(item, 0);
  return found;
}

/**
 * Where the source's constructs go that form a run of adjacent items in one list (a location's
 * paths written together: `src/x/**`, `Dockerfile.x`): together, after the last item any
 * location owns in that list. Constructs not in such a run each follow their own siblings.
 */
function runPlacements(source: readonly YamlConstruct[], all: readonly YamlConstruct[]): Map<YamlConstruct, number> {
  const placements = new Map<YamlConstruct, number>();
  const byCollection = new Map<unknown, YamlConstruct[]>();
  for (const c of source) {
    if (c.kind !== 'item' || !c.collection) continue;
    byCollection.set(c.collection, [...(byCollection.get(c.collection) ?? []), c]);
  }
  for (const [collection, run] of byCollection) {
    const indices = run.map((c) => c.index).sort((a, b) => a - b);
    if (run.length < 2 || indices.at(-1)! - indices[0] !== run.length - 1) continue;
    const last = Math.max(...all.filter((c) => c.collection === collection).map((c) => c.index));
    for (const c of run) placements.set(c, last);
  }
  return placements;
}

/** Plan one copy; a reason when the construct cannot be copied. */
function planCopy(
  edits: YamlEdits,
  index: YamlIndex,
  c: YamlConstruct,
  siblings: YamlConstruct[],
  options: ReplicateOptions,
  changes: Splice[],
  placement: number | undefined,
  leftOut: LeftOut[],
): string | undefined {
  const { text } = index;
  const { source, target } = options;
  const collection = c.collection!;
  // After the last sibling construct of the same key in the same collection.
  let after = c.index;
  for (const s of siblings) if (s.key === c.key && s.collection === collection && s.index > after) after = s.index;
  if (placement !== undefined) after = placement;
  const afterItem = collection.items[after];
  if (c.kind === 'flow') {
    if (!isSeq(collection) || !isScalar(c.item)) {
      // An entry of a flow list or map (`[{…}, {…}]`, `{a: {…}, b: {…}}`): its text renamed, a new element after the last sibling, in the collection's own layout.
      const transform = (t: string) => renameVariants(renameMentions(t, source, target), source, target);
      const at = (item: unknown, k: number) => (isSeq(collection) ? k : keyOf(item as Pair));
      edits.clone({ path: c.path, source: at(c.item, c.index), after: at(afterItem, after), transform });
      return undefined;
    }
    const value = renameMentions(String(c.item.value), source, target);
    edits.append({ path: c.path, value });
    return undefined;
  }
  const span = entrySpan(text, collection, c.item);
  const bodyStart = span.start;
  let body = text.slice(bodyStart, span.end);
  if (changes.length > 0) body = spliceAll(body, changes.map((s) => ({ ...s, start: s.start - bodyStart, end: s.end - bodyStart })));
  // A map's first key on its `- ` line (`-   grpc_server:`): the copy is a key, not a new item.
  if (isPair(c.item)) {
    const before = text.slice(bodyStart, (c.item.key as Node).range![0]);
    // (An explicit key, `? key` then `: value`, is copied as it is written.)
    if (/^[ \t]*-/.test(before)) body = before.replace(/[^\t]/g, ' ') + body.slice(before.length);
  }
  const lead = text.slice(c.start, bodyStart);
  const copy = copyText(lead, body, c.item, index, options, c.line);
  leftOut.push(...copy.leftOut);
  if (copy.lines.length === 0) return 'made of text the copy would leave out';
  const lines = [...copy.lines];
  // Comment lines above the next entry count as its own only at its indentation.
  if (blankLineBetweenSiblings(text, collection, afterItem, ownLead)) lines.unshift('');
  const newHead = isPair(c.item) ? renameMentions(keyOf(c.item), source, target) : undefined;
  const expectedPart = c.key.split(' > ').at(-1)!;
  edits.insertLines({
    path: c.path,
    afterIndex: after,
    at: nextLineStart(text, entrySpan(text, collection, afterItem).end),
    lines,
    identity: `construct ${c.key}`,
    problem: (added) => {
      if (newHead !== undefined) return isPair(added) && keyOf(added) === newHead ? undefined : `the copy of ${c.what} does not come out as ${newHead}`;
      return `[${normalize(headText(added), target)}]` === expectedPart ? undefined : `the copy of ${c.what} does not come out as ${target.names.snake}'s`;
    },
  });
  return undefined;
}

/**
 * The text of a copy: renamed; anchors the rename leaves alone are dropped (later aliases keep
 * meaning the source's value) unless the entry itself uses them, then they get a new name of the
 * target's own; comments follow commentForCopy; other case variants of the source's name are
 * written as the target's.
 */
function copyText(lead: string, body: string, item: unknown, index: YamlIndex, options: ReplicateOptions, firstLine: number): { lines: string[]; leftOut: LeftOut[] } {
  const { source, target, description, file } = options;
  const eolLines = (t: string) => (t === '' ? [] : splitLines(t));
  const leftOut: LeftOut[] = [];
  const leadLines = eolLines(lead).map((line) => (mentionsSource(line, source, target) ? commentForCopy(line, source, target, description) : undefined));
  const leadCount = eolLines(lead).length;
  const bodyLines: Array<string | undefined> = [];
  eolLines(body).forEach((line, i) => {
    if (/^[ \t]*#/.test(line)) {
      bodyLines.push(commentForCopy(line, source, target, description));
      return;
    }
    // A list item that only contains the source's name or port inside another word
    // (`tests/test_underwriting_views.py`, `docs/adr-4001-clickhouse.md`) is not the source's
    // own path to rename: it is left out, with the comment lines right above it.
    const item = /^[ \t]*-[ \t]+(\S.*?)[ \t]*$/.exec(line);
    if (item && !/^[&*]/.test(item[1]) && !/:([ \t]|$)/.test(item[1]) && looseVariants(line, source).length > 0) {
      leftOut.push({ file, line: firstLine + leadCount + i, what: `the list item ${item[1]}`, why: `it only contains ${source.names.snake}'s ${looseVariants(line, source).join(', ')} inside another name, so it is not ${source.names.snake}'s own to rename` });
      const indent = /^[ \t]*/.exec(line)![0];
      while (bodyLines.length > 0 && bodyLines.at(-1) !== undefined && new RegExp(`^${indent}#`).test(bodyLines.at(-1)!)) bodyLines.pop();
      bodyLines.push(undefined);
      return;
    }
    const trailing = trailingComment(line);
    if (trailing !== undefined && mentionsSource(line.slice(trailing), source, target)) {
      const rewritten = commentForCopy(line.slice(trailing).replace(/^[ \t]+/, ''), source, target, description);
      line = rewritten === undefined ? line.slice(0, trailing) : line.slice(0, trailing) + line.slice(trailing).match(/^[ \t]+/)![0] + rewritten;
    }
    bodyLines.push(renameVariants(renameMentions(line, source, target), source, target));
  });
  let text = [...leadLines, ...bodyLines].filter((l): l is string => l !== undefined).join('\n');
  for (const { name, node } of definedAnchors(item)) {
    const renamed = renameMentions(name, source, target);
    if (renamed !== name) {
      const existing = index.doc && anchorLine(index, renamed);
      if (existing !== undefined) throw new EditError(`the anchor &${renamed} that ${target.names.snake}'s copy needs is already defined`, index.file, existing);
      continue;
    }
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const usedInside = aliasNames(item, node).includes(name);
    if (usedInside) {
      const fresh = uniqueAnchor(index, name, target);
      text = text.replace(new RegExp(`([&*])${escaped}(?![^\\s,\\[\\]{}])`, 'g'), `$1${fresh}`);
    } else {
      text = text.replace(new RegExp(`[ \\t]*&${escaped}(?![^\\s,\\[\\]{}])([ \\t]*)(?=\\n|$)|&${escaped}(?![^\\s,\\[\\]{}])[ \\t]*`, 'g'), '');
    }
  }
  return { lines: text.split('\n').filter((line, i, all) => !(line === '' && i === all.length - 1)), leftOut };
}

/** The source's name (any case) or port written inside other words of a line, outside its mentions. */
function looseVariants(line: string, source: LocationRef): string[] {
  const own: Array<[number, number]> = [];
  for (const m of line.matchAll(mentionPattern(source))) own.push([m.index!, m.index! + m[0].length]);
  const outside = (s: number, e: number) => !own.some(([a, b]) => s < b && a < e);
  const found: string[] = [];
  for (const m of line.matchAll(variantPattern(source))) if (outside(m.index!, m.index! + m[0].length)) found.push(`name (${m[0]})`);
  if (source.port !== undefined) {
    for (const m of line.matchAll(new RegExp(`(?<!\\d)${source.port}(?!\\d)`, 'g'))) if (outside(m.index!, m.index! + m[0].length)) found.push(`port (${m[0]})`);
  }
  return [...new Set(found)];
}

function mentionsSource(text: string, source: LocationRef, target: LocationRef): boolean {
  return mentions(text, source) || survivingVariants(text, source, target).length > 0;
}

/** Where a `# comment` after content starts on a line (outside quotes), if it has one. */
function trailingComment(line: string): number | undefined {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && i > 0 && /[ \t]/.test(line[i - 1]) && /\S/.test(line.slice(0, i))) {
      let j = i;
      while (j > 0 && /[ \t]/.test(line[j - 1])) j--;
      return j;
    }
  }
  return undefined;
}

/** The line of the first definition of `&name`, if the document has one. */
function anchorLine(index: YamlIndex, name: string): number | undefined {
  const first = anchoredNodes(index.doc, name)[0];
  return first && lineNumber(index.text, first.node.range?.[0] ?? 0);
}

function uniqueAnchor(index: YamlIndex, name: string, target: LocationRef): string {
  const base = name.includes('_') && !name.includes('-') ? `${name}_${target.names.snake}` : `${name}-${target.names.kebab}`;
  let candidate = base;
  for (let n = 2; anchorLine(index, candidate) !== undefined; n++) candidate = `${base}-${n}`;
  return candidate;
}

/** The names of the aliases inside an entry that come after `after` (by offset). */
function aliasNames(item: unknown, after?: Node): string[] {
  const from = after?.range?.[0] ?? -1;
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isAlias(node)) {
      if ((node.range?.[0] ?? 0) > from) found.push(node.source);
    } else if (isCollection(node)) node.items.forEach(walk);
  };
  walk(item);
  return found;
}

/**
 * Comment lines for the target, each after the last line of its run that documents a location in
 * the same form; `=` (or `:`) stays in the column its siblings use.
 */
function addCommentLines(text: string, result: string, comments: YamlConstruct[], index: YamlIndex, options: ReplicateOptions, locations: readonly LocationRef[]): string {
  const { source, target } = options;
  const splices: Splice[] = [];
  const runs = index.commentRuns();
  const lineMap = resultLines(text, result);
  const starts = [0];
  for (let i = result.indexOf('\n'); i !== -1; i = result.indexOf('\n', i + 1)) starts.push(i + 1);
  for (const c of comments) {
    const run = runs.find((r) => r.some((line) => line.start === c.start))!;
    const siblings = run.filter((line) => locations.some((l) => !same(l, target) && mentions(line.body, l) && shape(normalize(line.body, l)) === c.key.slice(2)));
    const last = siblings.at(-1)!;
    const model = text.slice(c.start, lineEnd(text, c.start));
    let line = renameMentions(model, source, target);
    const sep = /[ \t]*([=:])[ \t]/.exec(model.replace(/^[ \t]*#[ \t]*/, (m) => ' '.repeat(m.length)));
    if (sep) {
      const column = model.indexOf(sep[1], sep.index);
      const at = line.search(new RegExp(`[ \\t]*\\${sep[1]}[ \\t]`));
      if (at !== -1) line = `${line.slice(0, at).padEnd(column - 1)} ${line.slice(line.indexOf(sep[1], at))}`;
    }
    const eol = detectEol(result);
    // The result's line after the one the last sibling is on.
    const next = lineMap[last.line - 1] + 1;
    const insertAt = next < starts.length ? starts[next] : result.length;
    splices.push(insertAt >= result.length && !result.endsWith('\n') ? { start: result.length, end: result.length, replacement: eol + line } : { start: insertAt, end: insertAt, replacement: line + eol });
  }
  return spliceAll(result, splices);
}

/** For each line of `text` (0-based), its line in `result`, a text made from it by inserting and changing lines. */
function resultLines(text: string, result: string): number[] {
  const map: number[] = [];
  if (text === result) return splitLines(text).map((_l, i) => i);
  let a = 0;
  let b = 0;
  for (const part of diffArrays(text.split('\n'), result.split('\n'))) {
    const n = part.count ?? part.value.length;
    if (part.added) b += n;
    else if (part.removed) {
      for (let i = 0; i < n; i++) map[a + i] = b;
      a += n;
    } else {
      for (let i = 0; i < n; i++) map[a + i] = b + i;
      a += n;
      b += n;
    }
  }
  return map;
}

/** After the edits: the target has every copied construct, and the copies mean what they should. */
function verifyCopies(result: string, file: string, copied: YamlConstruct[], source: LocationRef, target: LocationRef, locations: readonly LocationRef[], skip?: FootprintOptions['skip']): void {
  const index = yamlIndex(result, file, locations, skip);
  const mine = yamlFootprint(index, target).constructs;
  const theirs = yamlFootprint(index, source).constructs;
  for (const c of copied) {
    const t = mine.find((m) => m.key === c.key);
    if (!t) throw new EditError(`the copy of ${c.what} did not come out as ${target.names.snake}'s`, file, c.line);
    const block = result.slice(t.start, t.end);
    const left = survivingVariants(block, source, target);
    if (left.length > 0) throw new EditError(`the copy of ${c.what} still names ${source.names.snake} (${[...new Set(left)].join(', ')})`, file, t.line);
    if (t.kind === 'comment') continue;
    for (const alias of aliasNodes(t.item)) {
      const at = alias.range?.[0] ?? 0;
      const definition = anchorOf(index, alias);
      if (definition === undefined) throw new EditError(`*${alias.source} in the copy of ${c.what} resolves to nothing`, file, lineNumber(result, at));
      if (definition >= t.start && definition < t.end) continue;
      const own = theirs.find((s) => definition >= s.start && definition < s.end);
      if (own) throw new EditError(`*${alias.source} in ${target.names.snake}'s copy resolves to ${source.names.snake}'s own value (line ${lineNumber(result, definition)})`, file, lineNumber(result, at));
    }
  }
}

function aliasNodes(item: unknown): Array<import('yaml').Alias> {
  const found: Array<import('yaml').Alias> = [];
  const walk = (node: unknown): void => {
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isAlias(node)) found.push(node);
    else if (isCollection(node)) node.items.forEach(walk);
  };
  walk(item);
  return found;
}

/** Where the definition an alias resolves to starts (its `&`). */
function anchorOf(index: YamlIndex, alias: import('yaml').Alias): number | undefined {
  const node = resolveAlias(index.doc, alias) as Node | undefined;
  return node ? index.text.lastIndexOf(`&${alias.source}`, node.range?.[0] ?? 0) : undefined;
}

// ------------------------------------------------------------------ lines on disk

/**
 * The line of the file on disk that a line of `text` (the staged text, which earlier phases may
 * have changed) is; the staged line when it is not on disk.
 */
export function lineOnDisk(text: string, onDisk: string | undefined, line: number): number {
  if (onDisk === undefined || onDisk === text) return line;
  const parts = diffArrays(splitLines(onDisk), splitLines(text));
  let disk = 0;
  let staged = 0;
  for (const part of parts) {
    const n = part.count ?? part.value.length;
    if (part.added) {
      if (line > staged && line <= staged + n) return disk + 1;
      staged += n;
    } else if (part.removed) disk += n;
    else {
      if (line > staged && line <= staged + n) return disk + (line - staged);
      disk += n;
      staged += n;
    }
  }
  return line;
}

// ------------------------------------------------------------------ audit

/** Each location's missing counterparts of the source's constructs, as findings. */
export function auditFootprints(
  index: YamlIndex,
  options: { registry: string; phase: string; preferred?: LocationRef; locations: readonly LocationRef[] },
): Finding[] {
  const found = sourceIn(index, options.preferred);
  if (!found) return [];
  const findings: Finding[] = [];
  for (const location of options.locations) {
    if (same(location, found.source)) continue;
    const mine = yamlFootprint(index, location).constructs;
    for (const c of missingConstructs(found.footprint.constructs, mine, location)) {
      findings.push({
        registry: options.registry,
        file: index.file,
        line: c.line,
        location: location.names.snake,
        problem: `${location.names.snake} has no counterpart of ${found.source.names.snake}'s ${c.what}`,
        fix: `dagster-location ${options.phase} ${location.names.snake} (or dagster-location doctor --fix)`,
        fixable: true,
      });
    }
  }
  return findings;
}

// ------------------------------------------------------------------ remove

/**
 * The text without the given constructs: each with its own comment lines; a blank line before it
 * goes too when one also follows it (or it was last), so siblings stay separated as they were;
 * a flow-list item goes with its comma. The exact inverse of replicate.
 */
export function removeConstructs(text: string, file: string, constructs: readonly YamlConstruct[]): string {
  const splices: Splice[] = [];
  for (const c of [...constructs].sort((a, b) => b.start - a.start)) {
    if (splices.some((s) => c.start >= s.start && c.end <= s.end)) continue;
    splices.push(removal(text, c));
  }
  const result = spliceAll(text, splices);
  parseYaml(result, file);
  return result;
}

function removal(text: string, c: YamlConstruct): Splice {
  if (c.kind === 'flow') return flowRemoval(text, c);
  let start = c.start;
  let end = c.end;
  const isBlank = (from: number) => from < text.length && /^[ \t]*\r?$/.test(text.slice(from, lineEnd(text, from)));
  const prev = start > 0 ? lineStart(text, start - 1) : -1;
  const items = c.collection?.items ?? [];
  const last = c.kind === 'comment' || c.index === items.length - 1;
  // Comment lines above the entry that name nothing of the location and that no sibling entry
  // has above it too are a heading of what follows (`# Build & push, one step per image`), not
  // the entry's: they stay. (A copy's lead is its source's, so removing a copy takes it.)
  if (c.kind !== 'comment' && c.collection && !c.collection.flow && !last) {
    let own = start;
    while (own < end && /^[ \t]*#/.test(text.slice(own, lineEnd(text, own)))) own = nextLineStart(text, own);
    const lead = text.slice(start, own);
    if (own > start && !mentions(lead, c.location)) {
      const shared = items.some((item, k) => {
        if (k === c.index) return false;
        const at = entrySpan(text, c.collection!, item).start;
        return text.slice(ownLead(text, at), at) === lead;
      });
      if (!shared) {
        // The entry goes with the blank line after it, so the heading heads the next entry as it did this one.
        if (isBlank(end)) end = nextLineStart(text, end);
        return { start: own, end, replacement: '' };
      }
    }
  }
  if (c.kind !== 'comment' && c.index > 0 && prev >= 0 && isBlank(prev) && (isBlank(end) || last || end >= text.length)) start = prev;
  if (end >= text.length && !text.endsWith('\n') && start > 0) {
    // The last line of a file without a final newline: its line break before goes instead.
    start -= text[start - 2] === '\r' ? 2 : 1;
    end = text.length;
  }
  return { start, end, replacement: '' };
}

function flowRemoval(text: string, c: YamlConstruct): Splice {
  const seq = c.collection!;
  const items = seq.items as Node[];
  const node = (isPair(c.item) ? c.item.key : c.item) as Node;
  const [s, e] = [node.range![0], c.end];
  const close = text.lastIndexOf(isSeq(seq) ? ']' : '}', seq.range![1] - 1);
  const next = c.index + 1 < items.length ? rangeStart(items[c.index + 1]) : close;
  const comma = text.slice(e, next).indexOf(',');
  // On a line of its own with its comma (a multi-line list): the line goes.
  const alone = comma !== -1 && /^[ \t]*$/.test(text.slice(lineStart(text, s), s)) && /^[ \t]*$/.test(text.slice(e + comma + 1, lineEnd(text, e)));
  if (alone && c.index > 0) return { start: lineStart(text, s), end: nextLineStart(text, e), replacement: '' };
  if (comma !== -1) {
    if (c.index === 0) {
      let to = e + comma + 1;
      while (/[ \t]/.test(text[to] ?? '')) to++;
      return { start: s, end: to, replacement: '' };
    }
    const prevComma = text.lastIndexOf(',', s);
    return { start: prevComma + 1, end: e + comma + 1, replacement: '' };
  }
  if (c.index === 0) return { start: s, end: e, replacement: '' };
  const prevComma = text.lastIndexOf(',', s);
  return { start: prevComma, end: e, replacement: '' };
}

function rangeStart(item: unknown): number {
  return ((isPair(item) ? item.key : item) as Node).range![0];
}

export { splice };
