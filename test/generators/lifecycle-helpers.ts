/**
 * What the remove and rename tests share: the fixtures every round trip runs on, comparing two
 * trees byte for byte (uv.lock aside), and refusal cases run through the bin with the tree
 * snapshotted before and after.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { changes, copyFixture, EXAMPLE, MESSY, REALWORLD, runBin, snapshot } from '../helpers.js';

export const FIXTURES = [EXAMPLE, MESSY, REALWORLD].filter((dir) => existsSync(dir));

export function assertSameTree(before: Map<string, Buffer>, after: Map<string, Buffer>, what: string): void {
  const strip = (tree: Map<string, Buffer>) => new Map([...tree].filter(([file]) => file !== 'uv.lock'));
  const diff = changes(strip(before), strip(after));
  assert.deepEqual(diff, { added: [], changed: [], removed: [] }, `${what}: the tree is back byte for byte`);
}

export interface Refusal {
  /** The command line after `dagster-location`. */
  args: string[];
  message: RegExp;
  prepare?: (dir: string) => void;
}

/** Runs a refused command: exit 1, the message, and no file changed. */
export function assertRefused(refusal: Refusal, fixture = EXAMPLE): string {
  const dir = copyFixture(fixture);
  refusal.prepare?.(dir);
  const before = snapshot(dir);
  const result = runBin(dir, refusal.args);
  assert.equal(result.status, 1, result.output);
  assert.match(result.stderr, refusal.message);
  assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] }, 'the tree is unchanged');
  return result.stderr;
}
