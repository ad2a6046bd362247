import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { locationNames } from '../../../lib/naming.js';
import { mentioned, mentionPattern, mentions } from '../../../lib/registries/mentions.js';
import { YamlIndex } from '../../../lib/registries/yaml-footprint.js';
import type { LocationRef } from '../../../lib/registries/registry.js';
import { FIXTURES } from './helpers.js';

const LOCATIONS: LocationRef[] = [
  { names: locationNames('vanguard_wholesale', 'wholesale'), port: 4000 },
  { names: locationNames('underwriting_ml', 'underwriting'), port: 4001 },
  { names: locationNames('network_analytics', 'analytics'), port: 4002 },
  // A short name that is no word of the package name.
  { names: locationNames('ledger_sync', 'books'), port: 4010 },
];

function textFiles(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).flatMap((entry) => {
    const path = join(rel, entry);
    if (statSync(join(dir, path)).isDirectory()) return entry === 'node_modules' ? [] : textFiles(dir, path);
    return [path];
  });
}

/** The mention rule by its pattern alone, without the substring test that comes first. */
const byPattern = (text: string, location: LocationRef) => new RegExp(mentionPattern(location).source).test(text);

describe('mentions: the substring test before the pattern changes no answer', () => {
  for (const [label, dir] of FIXTURES) {
    it(`every line of every file of the ${label}`, () => {
      let asked = 0;
      for (const file of textFiles(dir)) {
        for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
          const expected = LOCATIONS.filter((l) => byPattern(line, l));
          assert.deepEqual(mentioned(line, LOCATIONS), expected, `${file}: ${line}`);
          asked++;
        }
      }
      assert.ok(asked > 500, `${asked} lines asked`);
    });
  }

  it('the YAML index (variants found by one alternation before the patterns) gives the same answers', () => {
    for (const [label, dir] of FIXTURES) {
      const yamlFiles = textFiles(dir).filter((file) => /\.ya?ml$/.test(file) && !file.includes('.template'));
      assert.ok(yamlFiles.length >= 3, label);
      for (const file of yamlFiles) {
        const text = readFileSync(join(dir, file), 'utf8');
        const index = new YamlIndex(text, file, LOCATIONS);
        for (const line of text.split('\n')) {
          for (const piece of [line, ...line.split(/[\s:"']+/)]) {
            const expected = LOCATIONS.flatMap((l, i) => (byPattern(piece, l) ? [i] : []));
            assert.deepEqual([...index.textSet(piece)].sort(), expected, `${label} ${file}: ${piece}`);
          }
        }
      }
    }
  });

  it('finds every spelling, in every case the rule knows', () => {
    const [location] = LOCATIONS;
    for (const text of ['vanguard_wholesale', 'VANGUARD-WHOLESALE', 'Dockerfile.vanguard.wholesale', 'DAGSTER_BUILD_TAG_WHOLESALE', '"wholesale": 1', '-p 4000']) {
      assert.ok(mentions(text, location), text);
    }
    assert.ok(!mentions('tests/test_wholesale_views.py', location));
    assert.ok(mentions('DAGSTER_BUILD_TAG_BOOKS', LOCATIONS[3]));
    assert.ok(!mentions('ledger', LOCATIONS[3]));
  });
});
