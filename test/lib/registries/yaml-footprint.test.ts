import assert from 'node:assert/strict';
import { locationNames } from '../../../lib/naming.js';
import type { LocationRef } from '../../../lib/registries/registry.js';
import { commentForCopy, renameVariants, survivingVariants } from '../../../lib/registries/prose.js';
import { lineOnDisk, missingConstructs, removeConstructs, replicate, yamlFootprint, YamlIndex } from '../../../lib/registries/yaml-footprint.js';
import { yamlJs } from './yaml-fixture.js';

const UW: LocationRef = { names: locationNames('underwriting_ml', 'underwriting'), port: 4001, hasClickhouse: true };
const VW: LocationRef = { names: locationNames('vanguard_wholesale', 'wholesale'), port: 4000, hasClickhouse: false };
const NA: LocationRef = { names: locationNames('network_analytics', 'analytics'), port: 4002, hasClickhouse: false };
const ALL = [VW, UW, NA];

function footprint(text: string, location: LocationRef, locations = ALL) {
  return yamlFootprint(new YamlIndex(text, 'x.yml', locations), location);
}

describe('the generic YAML footprint', () => {
  const TEXT = [
    'services:',
    '  vanguard_wholesale:',
    '    image: dagster-vanguard-wholesale',
    '  underwriting_ml:',
    '    image: dagster-underwriting-ml',
    '  web:',
    '    depends_on: [postgres, vanguard_wholesale, underwriting_ml]',
    '    environment:',
    '      LOCATIONS: vanguard_wholesale,underwriting_ml',
    'steps:',
    '  - step: &tests',
    '      paths:',
    '        - src/vanguard_wholesale/**',
    '        - src/underwriting_ml/**',
    '        - docs/adr-4001-clickhouse.md',
    '        - tests/test_underwriting_views.py',
    '',
  ].join('\n');

  it('finds the outermost item that names one location, keyed without the location', () => {
    const uw = footprint(TEXT, UW);
    const vw = footprint(TEXT, VW);
    assert.deepEqual(uw.constructs.map((c) => c.key), ['services > {snake}', 'services > web > depends_on > [{snake}]', 'steps > [step &tests] > step > paths > [src/{snake}/**]']);
    assert.deepEqual(vw.constructs.map((c) => c.key), uw.constructs.map((c) => c.key));
    assert.deepEqual(uw.constructs.map((c) => c.kind), ['pair', 'flow', 'item']);
  });

  it('a path that only contains the port or the short name inside another word is no mention', () => {
    const lines = footprint(TEXT, UW).constructs.map((c) => TEXT.slice(c.start, c.end));
    assert.ok(!lines.some((l) => /adr-4001|test_underwriting_views/.test(l)));
    assert.deepEqual(footprint(TEXT, UW).loose.map((m) => m.line), [9], 'only the value that names both is loose');
  });

  it('a mention in an entry that also names another location is reported with its line and why', () => {
    const [loose] = footprint(TEXT, UW).loose;
    assert.equal(loose.why, 'that entry also names vanguard_wholesale');
    assert.match(loose.what, /services\.web\.environment\.LOCATIONS/);
  });

  it('the one missing predicate: the source keys the target lacks; ClickHouse ones only for a location with ClickHouse', () => {
    const text = 'paths:\n  - src/underwriting_ml/**\n  - src/underwriting_ml/clickhouse/**\n  - src/vanguard_wholesale/**\n';
    const source = footprint(text, UW).constructs;
    assert.deepEqual(missingConstructs(source, footprint(text, VW).constructs, VW).map((c) => c.key), []);
    assert.deepEqual(missingConstructs(source, footprint(text, VW).constructs, { ...VW, hasClickhouse: true }).map((c) => c.key), ['paths > [src/{snake}/clickhouse/**]']);
  });

  it('comment lines that document one location each are constructs; `=` stays aligned in the copy', () => {
    const text = '# Variables:\n#   SERVICE_IMAGE_NAME_WHOLESALE    = dagster-vanguard-wholesale\n#   SERVICE_IMAGE_NAME_UNDERWRITING = dagster-underwriting-ml\nsteps: []\n';
    assert.deepEqual(footprint(text, UW).constructs.map((c) => [c.kind, c.line]), [['comment', 3]]);
    const result = replicate(text, { file: 'x.yml', source: UW, target: NA, locations: ALL, description: 'Network analytics' });
    assert.equal(result.text, '# Variables:\n#   SERVICE_IMAGE_NAME_WHOLESALE    = dagster-vanguard-wholesale\n#   SERVICE_IMAGE_NAME_UNDERWRITING = dagster-underwriting-ml\n#   SERVICE_IMAGE_NAME_ANALYTICS    = dagster-network-analytics\nsteps: []\n');
    assert.equal(removeConstructs(result.text, 'x.yml', footprint(result.text, NA).constructs), text);
  });

  it('removes a flow-list element with its comma, the exact inverse of adding it', () => {
    for (const list of ['[postgres, underwriting_ml]', '[postgres, underwriting_ml, ]', '[postgres,\n      underwriting_ml,\n    ]', '[postgres,\n      underwriting_ml]']) {
      const text = `web:\n  depends_on: ${list}\n`;
      const added = replicate(text, { file: 'x.yml', source: UW, target: NA, locations: ALL, description: '' }).text;
      assert.notEqual(added, text);
      assert.deepEqual(yamlJs(added).web.depends_on, ['postgres', 'underwriting_ml', 'network_analytics'], list);
      assert.equal(removeConstructs(added, 'x.yml', footprint(added, NA).constructs), text, list);
    }
  });

  it('removes a block entry with its comment lines and the blank line that separated it', () => {
    const text = 'a:\n  vanguard_wholesale: 1\n\n  # the canonical\n  underwriting_ml: 2\n\n  other: 3\n';
    const added = replicate(text, { file: 'x.yml', source: UW, target: NA, locations: ALL, description: '' }).text;
    assert.equal(added, 'a:\n  vanguard_wholesale: 1\n\n  # the canonical\n  underwriting_ml: 2\n\n  network_analytics: 2\n\n  other: 3\n');
    assert.equal(removeConstructs(added, 'x.yml', footprint(added, NA).constructs), text);
    const noFinalNewline = 'a:\n  vanguard_wholesale: 1\n  underwriting_ml: 2';
    const addedAtEnd = replicate(noFinalNewline, { file: 'x.yml', source: UW, target: NA, locations: ALL, description: '' }).text;
    assert.equal(addedAtEnd, 'a:\n  vanguard_wholesale: 1\n  underwriting_ml: 2\n  network_analytics: 2');
    assert.equal(removeConstructs(addedAtEnd, 'x.yml', footprint(addedAtEnd, NA).constructs), noFinalNewline);
  });

  it('refuses a copy whose alias would resolve to the source\'s own value', () => {
    // `*img` after the copy would mean the canonical's image: the copy gets its own anchor.
    const text = 's:\n  underwriting_ml:\n    image: &img dagster-underwriting-ml\n    current: *img\n';
    const result = replicate(text, { file: 'x.yml', source: UW, target: NA, locations: ALL, description: '' });
    const js = yamlJs(result.text);
    assert.equal(js.s.network_analytics.current, 'dagster-network-analytics');
    assert.equal(js.s.underwriting_ml.current, 'dagster-underwriting-ml');
  });
});

describe('names and prose in copies', () => {
  it('a comment of names only is renamed; names and prose get the description; other prose is left out', () => {
    assert.equal(commentForCopy('  # ---- underwriting (4001) -- canonical, copy this one ----', UW, NA, 'x'), '  # ---- analytics (4002) ----');
    assert.equal(commentForCopy('# underwriting_ml -- underwriting risk models; has ClickHouse views', UW, NA, 'Network analytics'), '# network_analytics -- Network analytics');
    assert.equal(commentForCopy('# underwriting_ml -- underwriting risk models', UW, NA, ''), undefined);
    assert.equal(commentForCopy('# Underwriting risk models, retrained weekly', UW, NA, 'Network analytics'), undefined);
    assert.equal(commentForCopy('# Picked up by the deploy step.', UW, NA, 'x'), '# Picked up by the deploy step.');
    assert.equal(commentForCopy('# canonical example; keep the others in the same shape', UW, NA, 'x'), undefined);
  });

  it("a copied value that spells the name another way (Title, UPPER, spaced) gets the new location's spelling", () => {
    const text = 'steps:\n  - step: &deploy-underwriting_ml\n      name: Deploy Underwriting ML (UNDERWRITING)\n';
    const result = replicate(text, { file: 'x.yml', source: UW, target: NA, locations: ALL, description: '' });
    assert.equal(yamlJs(result.text).steps[1].step.name, 'Deploy Network Analytics (ANALYTICS)');
  });

  it('every case and spacing of the name is found and written as the new one\'s', () => {
    assert.deepEqual(survivingVariants('Deploy Underwriting ML and UNDERWRITING, underwriting ml', UW, NA), ['Underwriting ML', 'UNDERWRITING', 'underwriting ml']);
    assert.equal(renameVariants('Deploy Underwriting ML, UNDERWRITING, underwriting-ml, Underwriting', UW, NA), 'Deploy Network Analytics, ANALYTICS, network-analytics, Analytics');
    assert.deepEqual(survivingVariants('network_analytics Network Analytics', UW, NA), []);
  });
});

describe('lines on disk', () => {
  it('maps a line of the staged text to the line of the file on disk', () => {
    const disk = 'a\nb\nc\nd\n';
    const staged = 'a\nnew1\nnew2\nb\nc\nd\n';
    assert.equal(lineOnDisk(staged, disk, 1), 1);
    assert.equal(lineOnDisk(staged, disk, 4), 2);
    assert.equal(lineOnDisk(staged, disk, 6), 4);
    assert.equal(lineOnDisk(staged, undefined, 6), 6);
  });
});
