/**
 * Dockerfile.bootstrap's ClickHouse lines (phase 3): the bootstrap image ships, for every
 * location with ClickHouse, its package marker and its `clickhouse/` package. A location's
 * footprint is every COPY (other than its member stub) that mentions it; a new location with
 * ClickHouse gets the canonical's (or another ClickHouse location's) renamed, after the last
 * sibling's; its member stub is the stubs registry's, added here too when the phase runs alone.
 */
import { EditError, insertLines, lineNumber, nextLineStart } from '../editors/text.js';
import { auditedLocations, auditUnits, refsOf, removeSpans } from './common.js';
import { addStub, instructions, stubCopies } from '../editors/dockerfile.js';
import { allLocations, footprintOf, missing, own, unaccounted, type Owned, type Unit } from './footprint.js';
import { renameMentions } from './mentions.js';
import type { AddInput, Finding, LocationRef, Registry } from './registry.js';

function units(text: string): Unit[] {
  const stubs = new Set(stubCopies(text).map((s) => s.instruction.start));
  return instructions(text)
    .filter((ins) => ins.keyword === 'COPY' && !stubs.has(ins.start))
    .map((ins) => ({ context: 'COPY', shape: ins.args, what: `COPY ${ins.args}`, start: ins.start, end: nextLineStart(text, ins.end), text: ins.args }));
}

function ownedUnits(text: string, locations: readonly LocationRef[]): Owned[] {
  return own(text, units(text), locations);
}

const withClickhouse = (l: LocationRef) => Boolean(l.hasClickhouse);

export const bootstrapRegistry: Registry = {
  id: 'bootstrap',
  phase: 'clickhouse',
  files: (input) => [input.model.conventions.files.bootstrapDockerfile],

  footprint: (text, _file, location, input) => footprintOf(ownedUnits(text, allLocations(refsOf(input.model), location)), location),

  add(text, file, input) {
    if (text === undefined) {
      return { text: '', noFile: true, warnings: input.clickhouse ? [`${file} not found: the bootstrap image will not ship ${input.target.names.packageDir}/clickhouse`] : [], leftOut: [] };
    }
    if (!input.clickhouse) return { text, warnings: [], leftOut: [] };
    return addLines(text, file, input);
  },

  audit(text, file, input) {
    if (text === undefined) return [];
    const locations = auditedLocations(input);
    const owned = ownedUnits(text, locations);
    const findings = auditUnits({ registry: 'bootstrap', file, input, owned: () => owned, fixedBy: 'clickhouse', expected: withClickhouse });
    return [...findings, ...withoutPackage(text, file, locations, owned, findings)];
  },

  remove(text, _file, location, input) {
    const found = footprintOf(ownedUnits(text, allLocations(refsOf(input.model), location)), location);
    return removeSpans(text, found);
  },
};

/**
 * The guide's rule where no location shows the pattern (the only location with ClickHouse lacks
 * its lines, so the audit has nothing to compare with): each location with ClickHouse has a COPY
 * of its clickhouse/ package. Not fixable: with no lines to follow, the add asks a person too.
 */
function withoutPackage(text: string, file: string, locations: readonly LocationRef[], owned: readonly Owned[], reported: readonly Finding[]): Finding[] {
  const copiesPackage = (u: Owned) => /\/clickhouse(?![\w.-])/.test(u.shape);
  const clickhouseLine = owned.find(copiesPackage)?.line;
  const lastCopy = instructions(text).filter((i) => i.keyword === 'COPY').at(-1);
  return locations
    .filter((l) => l.hasClickhouse && !reported.some((f) => f.location === l.names.snake) && !footprintOf(owned, l).some(copiesPackage))
    .map((l) => ({
      registry: 'bootstrap',
      file,
      // Where the lines go: the other locations' clickhouse COPY lines, else the last COPY.
      line: clickhouseLine ?? (lastCopy ? lineNumber(text, lastCopy.start) : undefined),
      location: l.names.snake,
      problem: `${l.names.snake} has a clickhouse/ package that the bootstrap image does not COPY`,
      fix: `add COPY ${l.names.packageDir}/__init__.py ./${l.names.packageDir}/__init__.py and COPY ${l.names.packageDir}/clickhouse ./${l.names.packageDir}/clickhouse next to the other locations' lines`,
      fixable: false,
    }));
}

function addLines(original: string, file: string, input: AddInput) {
  const target = { ...input.target, hasClickhouse: true };
  const locations = allLocations(refsOf(input.model), target);
  const first = ownedUnits(original, locations);
  const candidates = [input.model.canonical, ...input.model.locations].filter((l) => l && l.hasClickhouse && l.names.snake !== target.names.snake);
  const source = candidates.map((l) => locations.find((r) => r.names.snake === l!.names.snake)!).find((l) => footprintOf(first, l).length > 0);
  const warnings: string[] = [];
  let text = original;
  if (!source) {
    warnings.push(`${file}: found no ClickHouse COPY lines to follow; add \`COPY src/${target.names.snake}/__init__.py ./src/${target.names.snake}/__init__.py\` and \`COPY ${target.names.packageDir}/clickhouse ./${target.names.packageDir}/clickhouse\` by hand`);
  } else {
    const todo = missing(first, source, target).replicate;
    // In the source's order, next to the target's own lines when it has some; otherwise kept
    // together, as the siblings' are, after the last line of any ClickHouse location.
    const sourceLines = footprintOf(first, source);
    const targetLines = footprintOf(first, target);
    const byKey = new Map(targetLines.map((u) => [u.key, u]));
    const last = Math.max(...first.filter((u) => u.owner.hasClickhouse || u.owner.names.snake === source.names.snake).map((u) => u.end));
    const splices: Array<{ at: number; lines: string[] }> = [];
    for (const unit of todo) {
      const k = sourceLines.indexOf(unit);
      const next = sourceLines.slice(k + 1).map((u) => byKey.get(u.key)).find(Boolean);
      const previous = sourceLines.slice(0, k).reverse().map((u) => byKey.get(u.key)).find(Boolean);
      const at = next ? next.start : previous ? previous.end : last;
      splices.push({ at, lines: renameMentions(original.slice(unit.start, unit.end), unit.owner, target).replace(/\r?\n$/, '').split(/\r?\n/) });
    }
    // From the end, so offsets stay valid; lines for one place keep their order.
    const places = [...new Set(splices.map((x) => x.at))].sort((x, y) => y - x);
    for (const at of places) text = insertLines(text, at, splices.filter((x) => x.at === at).flatMap((x) => x.lines));
    const still = missing(ownedUnits(text, locations), source, target).replicate;
    if (still.length > 0) throw new EditError(`could not add ${target.names.snake}'s counterpart of ${still[0].what}`, file, lineNumber(original, still[0].start));
    // The source's member stub is copied too (below, by the stub writer): not a mention left behind.
    const stubs = stubCopies(original).filter((s) => s.member === source.names.snake).map((s) => ({ start: s.instruction.start, end: s.instruction.end }));
    warnings.push(...unaccounted(original, file, source, [...footprintOf(first, source), ...stubs], locations));
  }
  text = addStub(text, target.names.snake, file);
  return { text, warnings, leftOut: [] };
}
