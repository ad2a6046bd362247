/**
 * The generic half of every registry: a location's footprint is *found*, not listed. A format
 * module cuts its file into units (list elements, table keys, blocks, instructions, comment
 * lines) and says where each one sits (`context`) and what identifies it (`shape`); this module
 * gives each unit its owner (the one location it mentions, see mentions.ts) and its key (context
 * and shape with the owner's variants replaced by placeholders), so the canonical's construct and
 * a sibling's have the same key. `missing` is the one predicate add and audit share.
 */
import type { Location } from '../monorepo.js';
import { LineCounter, lineNumber } from '../editors/text.js';
import { mentionPattern, mentioned, normalize } from './mentions.js';
import type { Construct, LeftOut, LocationRef } from './registry.js';

/** A construct of a file as a format module cuts it, before ownership is known. */
export interface Unit {
  /** Where it sits, location-free: `[tool.uv.workspace].members`, `group "default".targets`. */
  context: string;
  /** What identifies it inside its context (a value, a key, a label): normalized by its owner. */
  shape: string;
  /** Human words: `element "src/underwriting_ml" of [tool.uv.workspace].members`. */
  what: string;
  /** Its span for removal: whole lines with its comment lines, or an element of a one-line list. */
  start: number;
  end: number;
  /** The text mentions are looked for in (default: the span). */
  text?: string;
  /** A comment line: copied only where the siblings share it (it documents each location). */
  comment?: boolean;
}

/** A unit with its owner and key. */
export interface Owned extends Unit, Construct {
  owner: LocationRef;
}

/** Every location the registries consider: the model's and the one being added, by package name. */
export function allLocations(locations: readonly LocationRef[], target?: LocationRef): LocationRef[] {
  const all = [...locations];
  if (target && !all.some((l) => l.names.snake === target.names.snake)) all.push(target);
  return all;
}

/**
 * Who each text mentions, by list of locations: an add asks again after each construct it
 * copies, of a file whose lines are nearly all the same (at 100 locations, each question is a
 * few hundred substring searches).
 */
const mentionedByLocations = new WeakMap<readonly LocationRef[], Map<string, LocationRef[]>>();

function mentionedCached(subject: string, locations: readonly LocationRef[]): LocationRef[] {
  let known = mentionedByLocations.get(locations);
  if (!known) mentionedByLocations.set(locations, (known = new Map()));
  let found = known.get(subject);
  if (!found) known.set(subject, (found = mentioned(subject, locations)));
  return found;
}

/** The units that mention exactly one location, with their owner and key; in file order. */
export function own(text: string, units: readonly Unit[], locations: readonly LocationRef[]): Owned[] {
  const owned: Owned[] = [];
  const lines = new LineCounter(text);
  for (const unit of units) {
    const subject = unit.text ?? text.slice(unit.start, unit.end);
    const found = mentionedCached(subject, locations);
    if (found.length !== 1) continue;
    const owner = found[0];
    owned.push({ ...unit, owner, key: `${unit.context}|${normalize(unit.shape, owner)}`, line: lines.at(unit.start) });
  }
  return owned;
}

/**
 * Each owner's units, grouped once per list: an audit asks for every location's footprint, and
 * the pattern rule for every sibling's keys, of the same list (filtering it each time made the
 * audit cubic in the number of locations). Owned lists are never changed once made.
 */
const byOwner = new WeakMap<readonly Owned[], Map<string, Owned[]>>();
const patternKeysByOwner = new WeakMap<readonly Owned[], Map<string, Set<string>>>();

function grouped(owned: readonly Owned[]): Map<string, Owned[]> {
  let groups = byOwner.get(owned);
  if (!groups) {
    groups = new Map();
    for (const unit of owned) {
      const list = groups.get(unit.owner.names.snake);
      if (list) list.push(unit);
      else groups.set(unit.owner.names.snake, [unit]);
    }
    byOwner.set(owned, groups);
  }
  return groups;
}

/** The owned units of one location, in file order (a copy: the caller may change it). */
export function footprintOf(owned: readonly Owned[], location: LocationRef): Owned[] {
  return [...(grouped(owned).get(location.names.snake) ?? [])];
}

/** The keys of a location's constructs other than comment lines (what siblings are compared by). */
export function patternKeys(owned: readonly Owned[], location: LocationRef): ReadonlySet<string> {
  let keys = patternKeysByOwner.get(owned);
  if (!keys) patternKeysByOwner.set(owned, (keys = new Map()));
  let found = keys.get(location.names.snake);
  if (!found) {
    found = new Set((grouped(owned).get(location.names.snake) ?? []).filter((u) => !u.comment).map((u) => u.key));
    keys.set(location.names.snake, found);
  }
  return found;
}

export interface Missing {
  /** The source's constructs the target has no counterpart of, to replicate. */
  replicate: Owned[];
  /** The source's comment lines no sibling shares: its own prose, not copied. */
  leftOut: Owned[];
}

/**
 * The source's constructs whose key the target's footprint lacks. A comment line is part of the
 * pattern only when a sibling (a location other than the source and the target) has a comment
 * with the same key; otherwise it is the source's own and left out.
 */
export function missing(owned: readonly Owned[], source: LocationRef, target: LocationRef): Missing {
  const targetKeys = new Set(footprintOf(owned, target).map((u) => u.key));
  const isSibling = (u: Owned) => u.owner.names.snake !== source.names.snake && u.owner.names.snake !== target.names.snake;
  const sourceUnits = footprintOf(owned, source);
  const ownComments = new Set(ownParts(sourceUnits.filter((u) => u.comment), [owned.filter(isSibling)], (u) => u.key));
  const replicate: Owned[] = [];
  const leftOut: Owned[] = [];
  const sourceKeys = new Set<string>();
  for (const unit of sourceUnits) {
    sourceKeys.add(unit.key);
    if (targetKeys.has(unit.key)) continue;
    if (ownComments.has(unit)) leftOut.push(unit);
    else replicate.push(unit);
  }
  // What every sibling has and the source lacks is the pattern too (the source drifted): copied
  // from the last sibling that has it.
  const siblings = [...grouped(owned).values()].filter((units) => isSibling(units[0])).map((units) => units[0].owner);
  const siblingSets = siblings.map((l) => patternKeys(owned, l));
  for (const key of siblingSets[0] ?? []) {
    if (sourceKeys.has(key) || targetKeys.has(key) || !siblingSets.every((keys) => keys.has(key))) continue;
    replicate.push(owned.filter((u) => u.key === key && isSibling(u)).at(-1)!);
  }
  return { replicate, leftOut };
}

/**
 * The pattern rule outside YAML (bake attributes, Dockerfile instructions, env variables): the
 * parts of the source's construct whose key no sibling's counterpart has. Without a sibling
 * there is nothing to compare with, so nothing is the source's own (the caller copies all and
 * lists what looks particular). Keys are location-free (names as placeholders) where they can
 * name a location.
 */
export function ownParts<T>(parts: readonly T[], siblings: ReadonlyArray<readonly T[]>, keyOf: (part: T) => string): T[] {
  if (siblings.length === 0) return [];
  const shared = new Set(siblings.flatMap((list) => list.map(keyOf)));
  return parts.filter((part) => !shared.has(keyOf(part)));
}

/** The last construct with `key` in file order (the one a new counterpart follows). */
export function lastWithKey(owned: readonly Owned[], key: string, except?: LocationRef): Owned | undefined {
  return owned.filter((u) => u.key === key && u.owner.names.snake !== except?.names.snake).at(-1);
}

/** Comment lines of the source it does not replicate, as the summary's left-out list. */
export function leftOutComments(file: string, units: readonly Owned[]): LeftOut[] {
  return units.map((u) => ({ file, line: u.line, what: `comment "${u.what}"`, why: 'it speaks of the canonical location only (no sibling has such a line)' }));
}

/**
 * Every mention of `source` that lies in none of the given spans (its owned constructs), as
 * `file:line: … not replicated because …` warnings: never silent. `mentionsOthers` says why a
 * span that mentions other locations too was not copied.
 */
export function unaccounted(
  text: string,
  file: string,
  source: LocationRef,
  accounted: ReadonlyArray<{ start: number; end: number }>,
  locations: readonly LocationRef[],
): string[] {
  const warnings: string[] = [];
  const seenLines = new Set<number>();
  for (const match of text.matchAll(mentionPattern(source))) {
    const at = match.index;
    if (accounted.some((s) => s.start <= at && at < s.end)) continue;
    const line = lineNumber(text, at);
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    const lineText = lineAt(text, at).trim();
    const others = mentioned(lineText, locations).filter((l) => l.names.snake !== source.names.snake);
    const why = others.length > 0
      ? `it also names ${others.map((l) => l.names.snake).join(', ')}`
      : 'it is not a construct this registry copies';
    warnings.push(`${file}:${line}: \`${clip(lineText)}\` mentions ${source.names.snake} and was not replicated because ${why}; check it by hand`);
  }
  return warnings;
}

function lineAt(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const nl = text.indexOf('\n', at);
  return text.slice(start, nl === -1 ? text.length : nl).replace(/\r$/, '');
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The location a new one copies: the canonical, else the last location that has a footprint here. */
export function sourceFor(owned: readonly Owned[], canonical: Location | undefined, target: LocationRef, locations: readonly LocationRef[]): LocationRef | undefined {
  const has = (l: LocationRef) => l.names.snake !== target.names.snake && owned.some((u) => u.owner.names.snake === l.names.snake);
  if (canonical && has(canonical)) return locations.find((l) => l.names.snake === canonical.names.snake) ?? canonical;
  return [...locations].reverse().find(has);
}
