/**
 * `dagster-location rename`: renaming a location and renaming it back gives back the original
 * tree byte for byte on every fixture (the canonical too, whose setting follows it); after the
 * first rename every registry names the new location and the doctor finds nothing; the refusals
 * of docs/bad-inputs.md leave the tree unchanged.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { copyFixture, exists, PROJECT, read, REALWORLD, runBin, runGenerator, snapshot } from '../helpers.js';
import { assertRefused, assertSameTree, FIXTURES, type Refusal } from './lifecycle-helpers.js';

export const RENAME_REFUSALS: Array<Refusal & { row: string }> = [
  { row: 'dagster-location rename no_such_location vanguard_retail', args: ['rename', 'no_such_location', 'vanguard_retail', '--force', '--skip-install'], message: /There is no code location "no_such_location"/ },
  { row: 'dagster-location rename vanguard_wholesale underwriting_ml', args: ['rename', 'vanguard_wholesale', 'underwriting_ml', '--force', '--skip-install'], message: /"underwriting_ml" is already used by underwriting_ml \(as its package name\)/ },
  { row: 'dagster-location rename vanguard_wholesale underwriting', args: ['rename', 'vanguard_wholesale', 'underwriting', '--force', '--skip-install'], message: /"underwriting" is already used by underwriting_ml \(as its short name\)/ },
  { row: 'dagster-location rename vanguard_wholesale vanguard_retail underwriting', args: ['rename', 'vanguard_wholesale', 'vanguard_retail', 'underwriting', '--force', '--skip-install'], message: /short name "underwriting" is already used by underwriting_ml/ },
  { row: 'dagster-location rename vanguard_wholesale vanguard_retail retail 4001', args: ['rename', 'vanguard_wholesale', 'vanguard_retail', 'retail', '4001', '--force', '--skip-install'], message: /port 4001 is already used \(/ },
  {
    row: 'dagster-location rename vanguard_wholesale vanguard_retail` (a Dockerfile.vanguard.retail exists)',
    args: ['rename', 'vanguard_wholesale', 'vanguard_retail', '--force', '--skip-install'],
    message: /Dockerfile\.vanguard\.retail exists already; the renamed location needs that path/,
    prepare: (dir) => writeFileSync(join(dir, 'Dockerfile.vanguard.retail'), 'FROM scratch\n'),
  },
  {
    row: 'dagster-location rename vanguard_wholesale vanguard_retail` (its package already mentions vanguard_retail)',
    args: ['rename', 'vanguard_wholesale', 'vanguard_retail', '--force', '--skip-install'],
    message: /src\/vanguard_wholesale\/assets\/ingest\.py:\d+: "vanguard_retail" is mentioned already where vanguard_wholesale is to be renamed/,
    prepare: (dir) => writeFileSync(join(dir, 'src/vanguard_wholesale/assets/ingest.py'), `${readFileSync(join(dir, 'src/vanguard_wholesale/assets/ingest.py'), 'utf8')}# see vanguard_retail\n`),
  },
  { row: 'dagster-location rename vanguard_wholesale vanguard_wholesale', args: ['rename', 'vanguard_wholesale', 'vanguard_wholesale', '--force', '--skip-install'], message: /already the location's name/ },
  {
    row: 'dagster-location rename vanguard_wholesale vanguard_retail` (its env template deleted by hand, no --force)',
    args: ['rename', 'vanguard_wholesale', 'vanguard_retail', '--dry-run', '--skip-install'],
    message: /vanguard_wholesale's footprint is incomplete or inconsistent[\s\S]*vanguard_wholesale\.env\.template[\s\S]*dagster-location doctor/,
    prepare: (dir) => rmSync(join(dir, 'environments/vanguard_wholesale.env.template')),
  },
];

describe('rename', () => {
  before(function () {
    if (!exists(PROJECT, 'dist/bin/dagster-location.js')) this.skip();
  });

  for (const fixture of FIXTURES) {
    it(`rename then rename back gives back the tree byte for byte; in between every registry names the new location (${basename(fixture)})`, () => {
      const dir = copyFixture(fixture);
      const before = snapshot(dir);
      const there = runBin(dir, ['rename', 'vanguard_wholesale', 'vanguard_retail', 'retail', '4009', '--force', '--skip-install']);
      assert.equal(there.status, 0, there.output);
      assert.ok(!exists(dir, 'src/vanguard_wholesale'), 'the old package folder is gone');
      assert.match(read(dir, 'src/vanguard_retail/pyproject.toml'), /^name = "vanguard-retail"$/m);
      assert.match(read(dir, 'src/vanguard_retail/definitions.py'), /vanguard_retail\.assets/);
      assert.doesNotMatch(read(dir, 'src/vanguard_retail/definitions.py'), /vanguard_wholesale/);
      assert.match(read(dir, 'Dockerfile.vanguard.retail'), /EXPOSE 4009/);
      assert.ok(exists(dir, 'environments/vanguard_retail.env.template'));
      assert.match(read(dir, 'workspace.yaml'), /4009/);
      for (const file of ['docker-bake.hcl', 'docker-stack.yml', 'bitbucket-pipelines.yml']) {
        if (before.get(file)?.toString('utf8').includes('DAGSTER_BUILD_TAG_WHOLESALE')) assert.match(read(dir, file), /DAGSTER_BUILD_TAG_RETAIL/, `${file}: the build tag variable follows the short name`);
      }
      assert.match(read(dir, 'devtools/check_defs.py'), /["']retail["']: ["']vanguard_retail["']/);
      for (const file of ['pyproject.toml', 'compose.yml', 'docker-stack.yml', 'workspace.yaml', 'docker-bake.hcl', 'bitbucket-pipelines.yml', 'Dockerfile.bootstrap']) {
        // Comment lines that name several locations at once are prose no registry owns (reported as such).
        const code = read(dir, file).split('\n').filter((line) => !/^\s*(#|\/\/)/.test(line)).join('\n');
        assert.doesNotMatch(code, /vanguard[_.-]wholesale|WHOLESALE/, `${file} names only the new location`);
      }
      const doctor = runBin(dir, ['doctor']);
      assert.equal(doctor.status, 0, doctor.output);
      assert.match(doctor.stdout, /vanguard_retail\s+4009/);
      const back = runBin(dir, ['rename', 'vanguard_retail', 'vanguard_wholesale', 'wholesale', '4000', '--force', '--skip-install']);
      assert.equal(back.status, 0, back.output);
      assertSameTree(before, snapshot(dir), basename(fixture));
    });
  }

  it('renames the canonical: its setting in .yo-rc.json follows, and renaming back gives the original tree (realworld)', () => {
    const dir = copyFixture(REALWORLD);
    const before = snapshot(dir);
    const there = runBin(dir, ['rename', 'underwriting_ml', 'credit_risk', '--force', '--skip-install']);
    assert.equal(there.status, 0, there.output);
    assert.equal(JSON.parse(read(dir, '.yo-rc.json'))['generator-dagster-location'].canonical, 'credit_risk');
    assert.match(read(dir, 'src/credit_risk/clickhouse/__init__.py'), /from credit_risk\.clickhouse import asset_registry/);
    assert.match(there.stdout, /RENAME DATABASE underwriting_ml TO credit_risk/);
    assert.match(there.stdout, /SERVICE_IMAGE_NAME_UNDERWRITING to SERVICE_IMAGE_NAME_CREDIT/);
    assert.match(there.stdout, /docker service rm <stack>_underwriting_ml/);
    assert.match(there.stdout, /materialisations .* team's to do/);
    assert.match(there.stdout, /tests\/test_definitions\.py:\d+: .* still mentions underwriting_ml; check it by hand/);
    assert.equal(runBin(dir, ['doctor']).status, 0);
    const back = runBin(dir, ['rename', 'credit_risk', 'underwriting_ml', '--force', '--skip-install']);
    assert.equal(back.status, 0, back.output);
    assertSameTree(before, snapshot(dir), 'canonical');
  });

  it('moves every file of the package, binary ones as they are', () => {
    const dir = copyFixture();
    mkdirSync(join(dir, 'src/vanguard_wholesale/data'));
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    writeFileSync(join(dir, 'src/vanguard_wholesale/data/sample.bin'), bytes);
    const result = runBin(dir, ['rename', 'vanguard_wholesale', 'vanguard_retail', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.ok(readFileSync(join(dir, 'src/vanguard_retail/data/sample.bin')).equals(bytes));
  });

  it('yo dagster-location:rename (the generator through Yeoman) does the same as the bin', async () => {
    const viaYo = copyFixture();
    const viaBin = copyFixture();
    await runGenerator('rename', viaYo, ['vanguard_wholesale', 'vanguard_retail', 'retail', '4009']);
    assert.equal(runBin(viaBin, ['rename', 'vanguard_wholesale', 'vanguard_retail', 'retail', '4009', '--force', '--skip-install']).status, 0);
    assertSameTree(snapshot(viaBin), snapshot(viaYo), 'yo and the bin');
  });

  describe('refusals (docs/bad-inputs.md)', () => {
    for (const refusal of RENAME_REFUSALS) it(refusal.row, () => void assertRefused(refusal));

    it('every case is a row of docs/bad-inputs.md', () => {
      const doc = readFileSync(join(PROJECT, 'docs', 'bad-inputs.md'), 'utf8');
      for (const refusal of RENAME_REFUSALS) assert.ok(doc.includes(refusal.row), refusal.row);
    });
  });
});
