/**
 * What the unit-based registries share: the locations an operation considers, the audit of every
 * location's footprint against the pattern, and deleting spans.
 */
import type { BracketList } from '../editors/text.js';
import { lineStart, nextLineStart } from '../editors/text.js';
import type { Monorepo } from '../monorepo.js';
import { allLocations, footprintOf, missing, patternKeys, type Owned } from './footprint.js';
import type { Finding, LocationRef, Phase, RegistryInput } from './registry.js';

/** The locations of the model as the registries see them (with their ports and ClickHouse). */
export function refsOf(model: Monorepo, extra: readonly LocationRef[] = []): LocationRef[] {
  const refs: LocationRef[] = model.locations.map((l) => ({ names: l.names, port: l.port, hasClickhouse: l.hasClickhouse }));
  for (const location of extra) if (!refs.some((r) => r.names.snake === location.names.snake)) refs.push(location);
  return refs;
}

/** The locations an audit covers: the model's and the orphans the doctor found. */
export function auditedLocations(input: RegistryInput): LocationRef[] {
  return refsOf(input.model, (input as RegistryInput & { locations?: LocationRef[] }).locations ?? []);
}

/**
 * Each location's footprint against the pattern: the canonical's constructs for every other
 * location; for the canonical itself, what every other location has. Comment lines only count
 * where the siblings share them (see footprint.missing). One finding per missing construct, at the
 * line of the construct it would copy.
 */
export function auditUnits(options: {
  registry: string;
  file: string;
  input: RegistryInput;
  owned: (locations: LocationRef[]) => Owned[];
  fixedBy: Phase;
  /** Only these locations are expected in the file (e.g. those with ClickHouse). */
  expected?: (location: LocationRef) => boolean;
}): Finding[] {
  const { registry, file, input, fixedBy } = options;
  const locations = auditedLocations(input);
  const owned = options.owned(locations);
  const expected = options.expected ?? (() => true);
  const canonical = locations.find((l) => l.names.snake === input.model.conventions.canonical && expected(l) && footprintOf(owned, l).length > 0);
  const findings: Finding[] = [];
  for (const location of locations.filter(expected)) {
    let lacking: Owned[];
    if (canonical && canonical.names.snake !== location.names.snake) {
      lacking = missing(owned, canonical, location).replicate;
    } else {
      const others = locations.filter((l) => l.names.snake !== location.names.snake && expected(l) && footprintOf(owned, l).length > 0);
      if (others.length === 0) continue;
      const own = patternKeys(owned, location);
      const shared = [...patternKeys(owned, others[0])].filter((key) => others.every((o) => patternKeys(owned, o).has(key)) && !own.has(key));
      lacking = shared.map((key) => footprintOf(owned, others[0]).find((u) => u.key === key)!);
    }
    for (const unit of lacking) {
      findings.push({
        registry,
        file,
        line: unit.line,
        location: location.names.snake,
        problem: `${location.names.snake} has no counterpart of ${unit.owner.names.snake}'s ${unit.what}`,
        fix: `dagster-location ${fixedBy} ${location.names.snake} (or dagster-location doctor --fix)`,
        fixable: true,
      });
    }
  }
  return findings;
}

/** The text without the given spans (they may touch; overlapping ones are merged). */
export function removeSpans(text: string, spans: ReadonlyArray<{ start: number; end: number }>): string {
  const ordered = [...spans].sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const span of ordered) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  let result = text;
  for (const span of merged.reverse()) result = result.slice(0, span.start) + result.slice(span.end);
  return result;
}

/**
 * The spans to delete for element `index` of a bracket list, the inverse of appending or inserting
 * it: alone on its line(s), those lines (the last element without a trailing comma also takes the
 * comma it gave the element before it); on a shared line, the element with one comma and space.
 */
export function elementRemovalSpans(text: string, list: BracketList, index: number): Array<{ start: number; end: number }> {
  const element = list.elements[index];
  const previous = list.elements[index - 1];
  const next = list.elements[index + 1];
  const last = element.comma ?? element.end;
  const aloneBefore = lineStart(text, element.start) > (previous ? (previous.comma ?? previous.end) : list.open);
  const aloneAfter = next ? lineStart(text, next.start) > last : lineStart(text, list.close) > last;
  if (aloneBefore && aloneAfter) {
    const spans = [{ start: lineStart(text, element.start), end: nextLineStart(text, last) }];
    if (!next && element.comma === undefined && previous && previous.comma === previous.end) spans.push({ start: previous.comma, end: previous.comma + 1 });
    return spans;
  }
  if (next) return [{ start: element.start, end: next.start }];
  if (!previous) return [{ start: element.start, end: element.comma !== undefined ? element.comma + 1 : element.end }];
  if (element.comma !== undefined) return [{ start: previous.comma! + 1, end: element.comma + 1 }];
  return [{ start: previous.end, end: element.end }];
}

/**
 * What remove takes of a location's owned units: all but the comment lines no sibling has a line
 * like (prose that names it, not a per-location line of a pattern): those stay, and are reported.
 */
export function patternOnly<T extends Owned>(all: readonly T[], footprint: readonly T[], location: LocationRef): T[] {
  return footprint.filter((u) => !u.comment || all.some((o) => o.comment && o.key === u.key && o.owner.names.snake !== location.names.snake));
}

export { allLocations };
