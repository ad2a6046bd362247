/**
 * Renaming a location in a registry's file, generically: every construct of its footprint (the
 * spans `footprint` finds) gets the location's mentions renamed to the other location's variant
 * of the same kind (mentions.ts: `renameMentions`), in place; text outside the footprint is not
 * touched. A registry that needs more defines its own `rename`.
 */
import { renameMentions } from './mentions.js';
import type { LocationRef, Registry, RegistryInput } from './registry.js';

/** The footprint's spans, in file order, overlapping ones merged. */
export function footprintSpans(registry: Registry, text: string, file: string, location: LocationRef, input: RegistryInput): Array<{ start: number; end: number }> {
  const spans = registry
    .footprint(text, file, location, input)
    .map((c) => ({ start: c.start, end: c.end }))
    .sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** `text` with every construct of `from`'s footprint renamed to `to`. */
export function renameByFootprint(registry: Registry, text: string, file: string, from: LocationRef, to: LocationRef, input: RegistryInput): string {
  let result = text;
  for (const span of footprintSpans(registry, text, file, from, input).reverse()) {
    result = result.slice(0, span.start) + renameMentions(result.slice(span.start, span.end), from, to) + result.slice(span.end);
  }
  return result;
}

/** The registry's own rename, else the generic one. */
export function renameInRegistry(registry: Registry, text: string, file: string, from: LocationRef, to: LocationRef, input: RegistryInput): string {
  return registry.rename ? registry.rename(text, file, from, to, input) : renameByFootprint(registry, text, file, from, to, input);
}
