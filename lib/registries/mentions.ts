/**
 * What counts as a *mention* of a location, for every registry: a whole-token match of one of
 * its name variants, or of its port. The full names (snake, kebab, dotted, `dagster-<kebab>`,
 * their UPPER forms) are tokens wherever neither a letter nor a digit touches them, so they are
 * found inside `build-push-underwriting_ml`, `src/underwriting_ml/**` or `Dockerfile.underwriting.ml`.
 * The short name and the port are weaker: a word like `underwriting` or a number like 4001 is a
 * mention only as a word of its own (no letter, digit, `_`, `-` or `.` beside it), so
 * `tests/test_underwriting_views.py` and `docs/adr-4001-clickhouse.md` are not mentions, while
 * `"underwriting": …`, `-p 4001` and `4001:4001` are. The short name's UPPER form is a mention
 * in the guide's variables (`DAGSTER_BUILD_TAG_<UPPER>`, `SERVICE_IMAGE_NAME_<UPPER>`).
 */
import { escapeRegExp, type LocationNames } from '../naming.js';
import type { LocationRef } from './registry.js';

/** The placeholders a construct key uses instead of a location's variants. */
export const PLACEHOLDERS = ['{snake}', '{kebab}', '{dotted}', '{SNAKE}', '{KEBAB}', '{short}', '{UPPER}', '{port}'] as const;

interface Variant {
  text: string;
  placeholder: (typeof PLACEHOLDERS)[number];
  strong: boolean;
}

function variants(names: LocationNames, port?: number): Variant[] {
  const all: Variant[] = [
    { text: names.snake, placeholder: '{snake}', strong: true },
    { text: names.kebab, placeholder: '{kebab}', strong: true },
    { text: names.dotted, placeholder: '{dotted}', strong: true },
    { text: names.snake.toUpperCase(), placeholder: '{SNAKE}', strong: true },
    { text: names.kebab.toUpperCase(), placeholder: '{KEBAB}', strong: true },
    { text: names.short, placeholder: '{short}', strong: false },
    { text: names.upper, placeholder: '{UPPER}', strong: false },
    ...(port !== undefined ? [{ text: String(port), placeholder: '{port}' as const, strong: false }] : []),
  ];
  // A short name equal to the package name is a strong variant already.
  const seen = new Set<string>();
  return all.filter((v) => !seen.has(v.text) && seen.add(v.text)).sort((a, b) => b.text.length - a.text.length);
}

/** What the mention rule needs of a location, made once per location (names and port). */
interface Compiled {
  /** Its variants, longest first. */
  variants: Variant[];
  /** The pattern, not global: `test` on it keeps no state between calls. */
  pattern: RegExp;
  /** The same, global, for `replace` (which starts from 0 and leaves nothing behind). */
  global: RegExp;
  /** Lower-case texts of which every mention contains one (see mentionsLowered). */
  needles: string[];
  /** Each variant's placeholder. */
  placeholderOf: Map<string, Variant['placeholder']>;
}

const compiledByNames = new WeakMap<LocationNames, Map<string, Compiled>>();

function compiled(location: LocationRef): Compiled {
  const cacheKey = String(location.port ?? '');
  let byPort = compiledByNames.get(location.names);
  if (!byPort) compiledByNames.set(location.names, (byPort = new Map()));
  const cached = byPort.get(cacheKey);
  if (cached) return cached;
  const all = variants(location.names, location.port);
  const parts = all.map((v) => {
    const body = escapeRegExp(v.text);
    if (v.strong) return `(?<![A-Za-z0-9])${body}(?![A-Za-z0-9])`;
    if (v.placeholder === '{UPPER}') {
      return `(?<=\\b(?:DAGSTER_BUILD_TAG|SERVICE_IMAGE_NAME)_)${body}(?![A-Za-z0-9_])|(?<![A-Za-z0-9_.-])${body}(?![A-Za-z0-9_.-])`;
    }
    if (v.placeholder === '{port}') return `(?<![A-Za-z0-9_.-]|\\d\\.)${body}(?![A-Za-z0-9_-]|\\.\\d)`;
    return `(?<![A-Za-z0-9_.-])${body}(?![A-Za-z0-9_.-])`;
  });
  const source = parts.join('|');
  const made: Compiled = {
    variants: all,
    pattern: new RegExp(source),
    global: new RegExp(source, 'g'),
    needles: [...new Set(all.map((v) => v.text.toLowerCase()))],
    placeholderOf: new Map(all.map((v) => [v.text, v.placeholder])),
  };
  byPort.set(cacheKey, made);
  return made;
}

/** The texts that are mentions of a location (its name variants and port), longest first. */
export function mentionVariants(location: LocationRef): string[] {
  return compiled(location).variants.map((v) => v.text);
}

/** One regexp matching every variant of a location as a mention (global, a new one each call: use with matchAll/replace). */
export function mentionPattern(location: LocationRef): RegExp {
  return new RegExp(compiled(location).pattern.source, 'g');
}

/**
 * A plain substring search of the lower-cased text rules most locations out before their
 * pattern, with its look-arounds, runs (every mention contains one of the needles). The
 * registries ask for every unit of a file and every location, so at 100 locations the patterns
 * alone were a sixth of a new location's time.
 */
function mentionsLowered(text: string, lower: string, location: LocationRef): boolean {
  const { needles, pattern } = compiled(location);
  return needles.some((needle) => lower.includes(needle)) && pattern.test(text);
}

/**
 * Whether `text` mentions the location. The compiled pattern itself, not a copy: compiling a copy
 * for each of tens of thousands of questions was most of a new location's time at 100 locations.
 */
export function mentions(text: string, location: LocationRef): boolean {
  return mentionsLowered(text, text.toLowerCase(), location);
}

/** The locations among `locations` that `text` mentions. */
export function mentioned<T extends LocationRef>(text: string, locations: readonly T[]): T[] {
  const lower = text.toLowerCase();
  return locations.filter((location) => mentionsLowered(text, lower, location));
}

/** `text` with the location's variants replaced by placeholders: the location-free shape of a construct. */
export function normalize(text: string, location: LocationRef): string {
  const { global, placeholderOf } = compiled(location);
  return text.replace(global, (match) => placeholderOf.get(match) ?? match);
}

/**
 * Rename every mention of one location to the other's variant of the same kind, in one pass
 * (replaced text is never replaced again). Weak variants follow the mention rule above, so a
 * word that only contains the short name, or a number that only contains the port, is kept.
 */
export function renameMentions(text: string, from: LocationRef, to: LocationRef): string {
  const { global, placeholderOf } = compiled(from);
  const target = new Map(compiled(to).variants.map((v) => [v.placeholder, v.text]));
  return text.replace(global, (match) => {
    const placeholder = placeholderOf.get(match);
    return (placeholder && target.get(placeholder)) ?? match;
  });
}
