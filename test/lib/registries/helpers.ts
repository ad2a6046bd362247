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
