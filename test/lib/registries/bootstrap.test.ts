import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineNumber } from '../../../lib/editors/text.js';
import { bootstrapRegistry } from '../../../lib/registries/bootstrap.js';
import type { RegistryInput } from '../../../lib/registries/registry.js';
import { stubsRegistry } from '../../../lib/registries/stubs.js';
import { addInput, FIXTURES, fixtureInput, NEW } from './helpers.js';

const FILE = 'Dockerfile.bootstrap';
const WITH_CLICKHOUSE = { ...NEW, hasClickhouse: true };

describe('registry: the ClickHouse lines of Dockerfile.bootstrap', () => {
  for (const [label, dir] of FIXTURES) {
    it(`on the ${label}: adding a location with ClickHouse, then removing it with its member stub, gives back the bytes`, () => {
      const original = readFileSync(join(dir, FILE), 'utf8');
      const input = addInput(dir, {}, WITH_CLICKHOUSE);
      const added = bootstrapRegistry.add(original, FILE, input).text;
      assert.notEqual(added, original);
      const known = fixtureInput(dir, { [FILE]: added });
      assert.deepEqual(bootstrapRegistry.audit(added, FILE, { ...known, locations: [WITH_CLICKHOUSE] } as RegistryInput), [], 'nothing missing after the add');
      const withoutLines = bootstrapRegistry.remove(added, FILE, WITH_CLICKHOUSE, known) ?? added;
      const removed = stubsRegistry.remove(withoutLines, FILE, WITH_CLICKHOUSE, known);
      assert.equal(removed, original);
    });

    it(`on the ${label}: a location with ClickHouse whose package is not copied is found, with no sibling to compare with`, () => {
      const original = readFileSync(join(dir, FILE), 'utf8');
      const input: RegistryInput = fixtureInput(dir);
      const withClickhouse = input.model.locations.filter((l) => l.hasClickhouse);
      assert.ok(withClickhouse.length > 0, 'the fixture has a location with ClickHouse');
      assert.deepEqual(bootstrapRegistry.audit(original, FILE, input), [], 'the fixture as it is');
      // Every location's clickhouse/ COPY gone: the pattern is nowhere left to compare with.
      const packageCopy = /^COPY[^\n]*\/clickhouse[ \t][^\n]*\n/gm;
      const cut = original.replace(packageCopy, '');
      assert.notEqual(cut, original);
      const findings = bootstrapRegistry.audit(cut, FILE, input);
      assert.deepEqual(findings.map((f) => f.location).sort(), withClickhouse.map((l) => l.names.snake).sort());
      for (const finding of findings) {
        assert.equal(finding.fixable, false, 'with no lines to follow, a person adds them');
        assert.match(finding.problem, /has a clickhouse\/ package that the bootstrap image does not COPY/);
        const lastCopy = cut.lastIndexOf('\nCOPY') + 1;
        assert.equal(finding.line, lineNumber(cut, lastCopy), 'at the last COPY, where the lines go');
      }
    });
  }
});
