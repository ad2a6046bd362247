/**
 * What the registry specs share: a fixture monorepo read into the model, a reader over it, a new
 * location to add, and the round trips every registry must pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diskLister, readMonorepo, type Monorepo } from '../../../lib/monorepo.js';
import { locationNames } from '../../../lib/naming.js';
import type { AddInput, LocationRef } from '../../../lib/registries/registry.js';

export function fixtureInput(dir: string, overrides: Record<string, string> = {}): { model: Monorepo; read: (path: string) => string | undefined } {
  const read = (path: string) => {
    if (path in overrides) return overrides[path];
    try {
      return readFileSync(join(dir, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  return { model: readMonorepo(dir, read, diskLister(dir)), read };
}

export const NEW: LocationRef = { names: locationNames('network_analytics', 'analytics'), port: 4002, hasClickhouse: false };

export function addInput(dir: string, overrides: Record<string, string> = {}, target: LocationRef = NEW): AddInput {
  const { model, read } = fixtureInput(dir, overrides);
  const source = model.canonical ?? model.locations.at(-1)!;
  return { model, read, target, source, description: 'Network analytics', clickhouse: Boolean(target.hasClickhouse) };
}

import assert from 'node:assert/strict';
import { EXAMPLE, MESSY, REALWORLD } from '../../helpers.js';
import type { Registry } from '../../../lib/registries/registry.js';

export const FIXTURES = [
  ['tidy example', EXAMPLE],
  ['messy monorepo', MESSY],
  ['real-world fixture', REALWORLD],
] as const;

/** The text without one construct; an element of a one-line list takes one comma and space along. */
function without(text: string, start: number, end: number): string {
  // An element alone on its line: the line goes (its comma and comment too).
  const lineStartAt = text.lastIndexOf('\n', start - 1) + 1;
  const lineEndAt = text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end) + 1;
  if (/^[ \t]*$/.test(text.slice(lineStartAt, start)) && /^[ \t]*,?[ \t]*((#|\/\/).*)?\r?\n?$/.test(text.slice(end, lineEndAt)) && text[end - 1] !== '\n') {
    return without(text, lineStartAt, lineEndAt);
  }
  // A block between blank lines takes one of them along.
  if (text[end - 1] === '\n' && /\n[ \t]*\r?\n$/.test(text.slice(0, start)) && /^[ \t]*\r?\n/.test(text.slice(end))) {
    return text.slice(0, text.lastIndexOf('\n', start - 2) + 1) + text.slice(end);
  }
  if (start > 1 && text.slice(start - 2, start) === ', ') return text.slice(0, start - 2) + text.slice(end);
  if (text.slice(end, end + 2) === ', ') return text.slice(0, start) + text.slice(end + 2);
  // The last line of a list without a trailing comma: the comma before it goes too.
  const before = /,([ \t]*(?:#.*|\/\/.*)?)(\r?\n)$/.exec(text.slice(0, start));
  const removed = text.slice(start, end).replace(/(#|\/\/).*$/gm, '').trimEnd();
  if (before && /^\s*[\]}]/.test(text.slice(end)) && !removed.endsWith(',')) {
    return text.slice(0, start - before[0].length) + before[1] + before[2] + text.slice(end);
  }
  return text.slice(0, start) + text.slice(end);
}

/**
 * The properties every unit-based registry has, on one fixture and file: adding the new location
 * and removing it gives back the original bytes; after adding, the audit (with the new location
 * known) finds nothing and add changes nothing; with any one of the new location's constructs
 * taken out, the audit finds it missing and add puts it back, byte for byte.
 */
export function registryProperties(registry: Registry, dir: string, file: string, target: LocationRef = NEW): void {
  const input = addInput(dir, {}, target);
  const original = input.read(file);
  assert.ok(original !== undefined, `${file} exists in ${dir}`);
  const added = registry.add(original, file, input).text;
  assert.notEqual(added, original, `add changes ${file}`);
  assert.equal(registry.remove(added, file, target, input), original, `add then remove gives back ${file}`);
  const audited = { ...input, read: (p: string) => (p === file ? added : input.read(p)), locations: [target] };
  const own = (text: string) => registry.audit(text, file, { ...audited, read: (p: string) => (p === file ? text : input.read(p)) }).filter((f) => f.location === target.names.snake);
  assert.deepEqual(own(added), [], `no finding for ${target.names.snake} once added`);
  assert.equal(registry.add(added, file, audited).text, added, 'add again changes nothing');
  const constructs = registry.footprint(added, file, target, audited);
  assert.ok(constructs.length > 0, 'the new location has a footprint');
  for (const construct of constructs) {
    const cut = without(added, construct.start, construct.end);
    assert.ok(own(cut).length > 0, `audit finds ${construct.what} missing`);
    assert.equal(registry.add(cut, file, audited).text, added, `add restores ${construct.what}`);
  }
}
