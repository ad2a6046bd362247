/**
 * `dagster-location remove`: adding a location and removing it gives back the original tree
 * byte for byte on every fixture; removing an existing one takes only its own lines (the
 * heading above it stays); the refusals of docs/bad-inputs.md leave the tree unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { diffLines } from 'diff';
import { planRemove } from '../../lib/lifecycle.js';
import { diskLister, readMonorepo } from '../../lib/monorepo.js';
import { registryById } from '../../lib/registries/index.js';
import { copyFixture, exists, PROJECT, read, REALWORLD, runBin, runGenerator, snapshot } from '../helpers.js';
import { assertRefused, assertSameTree, FIXTURES, type Refusal } from './lifecycle-helpers.js';

const CANONICAL_VANGUARD = '{\n  "generator-dagster-location": {\n    "canonical": "vanguard_wholesale"\n  }\n}\n';

export const REMOVE_REFUSALS: Array<Refusal & { row: string }> = [
  { row: 'dagster-location remove no_such_location', args: ['remove', 'no_such_location', '--force', '--skip-install'], message: /There is no code location "no_such_location" in this monorepo \(locations: .*\)/ },
  {
    row: 'dagster-location remove underwriting_ml',
    args: ['remove', 'underwriting_ml', '--force', '--skip-install'],
    message: /underwriting_ml is the canonical location[\s\S]*\.yo-rc\.json[\s\S]*"canonical": "vanguard_wholesale"/,
  },
  {
    row: 'dagster-location remove vanguard_wholesale` (its Dockerfile deleted by hand, no --force)',
    args: ['remove', 'vanguard_wholesale', '--dry-run', '--skip-install'],
    message: /vanguard_wholesale's footprint is incomplete or inconsistent[\s\S]*Dockerfile\.vanguard\.wholesale[\s\S]*dagster-location doctor[\s\S]*--force/,
    prepare: (dir) => rmSync(join(dir, 'Dockerfile.vanguard.wholesale')),
  },
];

describe('remove', () => {
  before(function () {
    if (!exists(PROJECT, 'dist/bin/dagster-location.js')) this.skip();
  });

  for (const fixture of FIXTURES) {
    for (const clickhouse of ['--clickhouse', '--no-clickhouse']) {
      it(`add then remove gives back the tree byte for byte, and the doctor finds nothing (${basename(fixture)}, ${clickhouse})`, () => {
        const dir = copyFixture(fixture);
        const before = snapshot(dir);
        const add = runBin(dir, ['network_analytics', 'analytics', '4002', clickhouse, '--force', '--skip-install']);
        assert.equal(add.status, 0, add.output);
        assert.ok(exists(dir, 'src/network_analytics/definitions.py'));
        const remove = runBin(dir, ['remove', 'network_analytics', '--force', '--skip-install']);
        assert.equal(remove.status, 0, remove.output);
        assertSameTree(before, snapshot(dir), basename(fixture));
        assert.ok(!exists(dir, 'src/network_analytics'), 'the package folder is gone, not only its files');
        const doctor = runBin(dir, ['doctor']);
        assert.equal(doctor.status, 0, doctor.output);
        assert.match(doctor.stdout, /No problems found/);
      });
    }
  }

  it('removes an existing location by its short name: only its own lines go, the list heading above it stays (realworld)', () => {
    const dir = copyFixture(REALWORLD);
    const before = snapshot(dir);
    const result = runBin(dir, ['remove', 'wholesale', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    const after = snapshot(dir);
    for (const gone of ['src/vanguard_wholesale/definitions.py', 'Dockerfile.vanguard.wholesale', 'environments/vanguard_wholesale.env.template']) assert.ok(!after.has(gone), `${gone} deleted`);
    const mention = /vanguard[_.-]wholesale|WHOLESALE|wholesale|4000/;
    for (const [file, bytes] of after) {
      if (before.get(file)!.equals(bytes)) continue;
      // Every line that went or changed named the location; no line was added that was not a changed one.
      const parts = diffLines(before.get(file)!.toString('utf8'), bytes.toString('utf8'));
      parts.forEach((part, k) => {
        if (part.removed) assert.match(part.value, mention, `${file}: a removed line does not name vanguard_wholesale: ${JSON.stringify(part.value)}`);
        if (part.added) assert.ok(parts[k - 1]?.removed, `${file}: a line was added: ${JSON.stringify(part.value)}`);
      });
    }
    assert.match(read(dir, 'bitbucket-pipelines.yml'), /# Build & push, one step per image\./);
    const doctor = runBin(dir, ['doctor']);
    assert.equal(doctor.status, 0, doctor.output);
  });

  it('the closing summary lists what is left outside the repo (Bitbucket, Swarm, shared volume, ClickHouse, materialisations)', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, '.yo-rc.json'), CANONICAL_VANGUARD);
    const result = runBin(dir, ['remove', 'underwriting_ml', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    for (const item of [
      /\[ \] Bitbucket: delete the repository variable SERVICE_IMAGE_NAME_UNDERWRITING and the pipeline variable DAGSTER_BUILD_TAG_UNDERWRITING/,
      /\[ \] Docker Swarm: .*`docker service rm <stack>_underwriting_ml`/,
      /\[ \] Shared volume: delete the real env file \/opt\/dagster\/shared-data\/environments\/underwriting_ml\.env/,
      /\[ \] Shared volume: .*\/opt\/dagster\/shared-data\/underwriting_ml/,
      /\[ \] ClickHouse: drop the database \(`DROP DATABASE underwriting_ml`\)/,
      /\[ \] Dagster: the materialisations .* the team's decision/,
      /\[ \] Run `uv lock` \(--skip-install: it did not run\)/,
    ]) {
      assert.match(result.stdout, item);
    }
    // What no registry owns is reported, never silent: the tests import the removed package.
    assert.match(result.stdout, /tests\/test_definitions\.py:\d+: .* still mentions underwriting_ml; check it by hand/);
    assert.ok(!readFileSync(join(dir, 'Dockerfile.bootstrap'), 'utf8').includes('src/underwriting_ml/clickhouse'), 'the ClickHouse COPY lines are gone');
  });

  it('--dry-run prints the deletions and writes nothing', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['remove', 'vanguard_wholesale', '--dry-run', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(result.stdout, /--- a\/Dockerfile\.vanguard\.wholesale\n\+\+\+ \/dev\/null/);
    assert.match(result.stdout, /--- a\/src\/vanguard_wholesale\/definitions\.py\n\+\+\+ \/dev\/null/);
    assertSameTree(before, snapshot(dir), 'dry run');
  });

  it('without a terminal and without --force nothing is written', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['remove', 'vanguard_wholesale', '--skip-install']);
    assert.equal(result.status, 1, result.output);
    assert.match(result.stderr, /would change and there is no terminal[\s\S]*Nothing was written/);
    assertSameTree(before, snapshot(dir), 'no terminal');
  });

  it('--force on an incomplete footprint removes what exists and reports the rest', () => {
    const dir = copyFixture();
    rmSync(join(dir, 'environments/vanguard_wholesale.env.template'));
    const result = runBin(dir, ['remove', 'vanguard_wholesale', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(result.stdout, /! environments\/vanguard_wholesale\.env\.template: .*found before the removal; --force went on/);
    assert.ok(!exists(dir, 'src/vanguard_wholesale'));
    assert.equal(runBin(dir, ['doctor']).status, 0);
  });

  it('yo dagster-location:remove (the generator through Yeoman) does the same as the bin', async () => {
    const viaYo = copyFixture();
    const viaBin = copyFixture();
    await runGenerator('remove', viaYo, ['vanguard_wholesale']);
    assert.equal(runBin(viaBin, ['remove', 'vanguard_wholesale', '--force', '--skip-install']).status, 0);
    assertSameTree(snapshot(viaBin), snapshot(viaYo), 'yo and the bin');
  });

  describe('a registry whose remove is not the inverse of its add', () => {
    /** planRemove of vanguard_wholesale on the example, one registry's remove leaving its file as it is. */
    function planWithout(id: string) {
      const dir = copyFixture();
      const reader = (path: string) => (exists(dir, path) ? read(dir, path) : undefined);
      const registry = registryById(id)!;
      const original = registry.remove;
      registry.remove = (text) => text;
      try {
        return planRemove({ model: readMonorepo(dir, reader, diskLister(dir)), root: dir, name: 'vanguard_wholesale', force: false });
      } finally {
        registry.remove = original;
      }
    }

    it('a result the doctor finds fault with is refused before anything is staged', () => {
      assert.throws(() => planWithout('pyproject'), /The result would not pass the doctor:[\s\S]*does not COPY src\/vanguard_wholesale\/pyproject\.toml[\s\S]*Nothing was written/);
    });

    it('a mention left where no audit looks is reported with file:line', () => {
      const plan = planWithout('workspace');
      assert.ok(plan.warnings.some((w) => /^workspace\.yaml:\d+: .* still mentions vanguard_wholesale; check it by hand$/.test(w)), plan.warnings.join('\n'));
    });
  });

  describe('refusals (docs/bad-inputs.md)', () => {
    for (const refusal of REMOVE_REFUSALS) it(refusal.row, () => void assertRefused(refusal));

    it('every case is a row of docs/bad-inputs.md', () => {
      const doc = readFileSync(join(PROJECT, 'docs', 'bad-inputs.md'), 'utf8');
      for (const refusal of REMOVE_REFUSALS) assert.ok(doc.includes(refusal.row), refusal.row);
    });
  });
});
