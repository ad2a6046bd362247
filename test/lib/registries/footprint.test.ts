import assert from 'node:assert/strict';
import { missing, own, unaccounted, type Unit } from '../../../lib/registries/footprint.js';
import { locationNames } from '../../../lib/naming.js';
import type { LocationRef } from '../../../lib/registries/registry.js';

const UW: LocationRef = { names: locationNames('underwriting_ml', 'underwriting'), port: 4001 };
const VW: LocationRef = { names: locationNames('vanguard_wholesale', 'wholesale'), port: 4000 };
const NA: LocationRef = { names: locationNames('network_analytics', 'analytics'), port: 4002 };

/** One unit a line, its context the text before `:`. */
function lines(text: string): Unit[] {
  const units: Unit[] = [];
  let at = 0;
  for (const line of text.split('\n')) {
    const [context, shape] = line.split(': ');
    if (shape !== undefined) units.push({ context, shape, what: line, start: at, end: at + line.length + 1, comment: context === '#' });
    at += line.length + 1;
  }
  return units;
}

describe('footprint engine', () => {
  const text = ['list: src/underwriting_ml', 'list: src/vanguard_wholesale', 'group: dagster-underwriting-ml', 'both: underwriting_ml vanguard_wholesale', '#: underwriting is canonical', 'tests: tests/test_underwriting_views.py'].join('\n');

  it('a unit belongs to the one location it mentions; one that names two, or only contains a short name, to none', () => {
    const owned = own(text, lines(text), [UW, VW, NA]);
    assert.deepEqual(owned.map((u) => [u.owner.names.snake, u.key]), [
      ['underwriting_ml', 'list|src/{snake}'],
      ['vanguard_wholesale', 'list|src/{snake}'],
      ['underwriting_ml', 'group|dagster-{kebab}'],
      ['underwriting_ml', '#|{short} is canonical'],
    ]);
  });

  it("missing: the canonical's keys the location lacks; the canonical's own comment is left out", () => {
    const owned = own(text, lines(text), [UW, VW, NA]);
    const forVanguard = missing(owned, UW, VW);
    assert.deepEqual(forVanguard.replicate.map((u) => u.key), ['group|dagster-{kebab}']);
    assert.deepEqual(forVanguard.leftOut.map((u) => u.key), ['#|{short} is canonical']);
    const forNew = missing(owned, UW, NA);
    assert.deepEqual(forNew.replicate.map((u) => u.key), ['list|src/{snake}', 'group|dagster-{kebab}']);
  });

  it('what every sibling has and the canonical lacks is the pattern too', () => {
    const drifted = 'list: src/vanguard_wholesale\nextra: x-vanguard_wholesale\nlist: src/underwriting_ml';
    const owned = own(drifted, lines(drifted), [UW, VW, NA]);
    assert.deepEqual(missing(owned, UW, NA).replicate.map((u) => [u.owner.names.snake, u.key]), [['underwriting_ml', 'list|src/{snake}'], ['vanguard_wholesale', 'extra|x-{snake}']]);
  });

  it('every mention of the canonical outside its constructs is a warning with file:line and why', () => {
    const owned = own(text, lines(text), [UW, VW, NA]);
    const warnings = unaccounted(text, 'f.txt', UW, owned.filter((u) => u.owner === UW), [UW, VW, NA]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^f\.txt:4: `both: underwriting_ml vanguard_wholesale` .* because it also names vanguard_wholesale/);
  });
});
