/**
 * Yeoman runs every own prototype method of a generator as a task (unknown names in the
 * `default` queue). A helper method without a leading underscore would run by itself, once,
 * with no arguments: this guards against that.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT } from '../helpers.js';

const LIFECYCLE = new Set(['constructor', 'initializing', 'prompting', 'configuring', 'default', 'writing', 'transform', 'conflicts', 'install', 'end']);

describe('generator tasks', () => {
  for (const name of readdirSync(join(PROJECT, 'generators'))) {
    it(`${name}: every own method is a lifecycle task or _private`, async () => {
      const { default: Generator } = (await import(join(PROJECT, 'generators', name, 'index.ts'))) as { default: { prototype: object } };
      const methods = Object.getOwnPropertyNames(Generator.prototype).filter((key) => {
        const descriptor = Object.getOwnPropertyDescriptor(Generator.prototype, key)!;
        return typeof descriptor.value === 'function';
      });
      assert.deepEqual(methods.filter((m) => !LIFECYCLE.has(m) && !m.startsWith('_')), []);
    });
  }
});
