import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditMonorepo, REGISTRIES } from '../../lib/audit.js';
import { diskLister, readMonorepo } from '../../lib/monorepo.js';
import { copyFixture, EXAMPLE, MESSY, runBin } from '../helpers.js';

function audit(dir: string) {
  const read = (path: string) => {
    try {
      return readFileSync(join(dir, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  return auditMonorepo(readMonorepo(dir, read, diskLister(dir)), read);
}

function edit(dir: string, path: string, change: (text: string) => string): void {
  const full = join(dir, path);
  writeFileSync(full, change(readFileSync(full, 'utf8')));
}

/** A location someone added by hand: a member with definitions.py, registered nowhere else. */
function addByHand(dir: string): void {
  mkdirSync(join(dir, 'src', 'fraud_signals', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'src', 'fraud_signals', '__init__.py'), '');
  writeFileSync(join(dir, 'src', 'fraud_signals', 'assets', '__init__.py'), '');
  writeFileSync(join(dir, 'src', 'fraud_signals', 'definitions.py'), readFileSync(join(dir, 'src/vanguard_wholesale/definitions.py'), 'utf8').replaceAll('vanguard_wholesale', 'fraud_signals'));
  writeFileSync(join(dir, 'src', 'fraud_signals', 'pyproject.toml'), '[project]\nname = "fraud-signals"\nversion = "0.1.0"\ndependencies = ["shared"]\n');
  edit(dir, 'pyproject.toml', (t) => t.replace('"src/underwriting_ml"]', '"src/underwriting_ml", "src/fraud_signals"]'));
}

describe('dagster-location doctor', () => {
  for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    it(`finds no problem in the ${label}, exit 0`, () => {
      const dir = copyFixture(fixture);
      const result = runBin(dir, ['doctor']);
      assert.equal(result.status, 0, result.output);
      assert.match(result.stdout, /No problems found/);
      assert.match(result.stdout, new RegExp(`^vanguard_wholesale\\s+4000\\s+(✓\\s+){${REGISTRIES.length}}$`, 'm'));
    });
  }

  const drifts: Array<{ drift: string; apply: (dir: string) => void; expect: RegExp }> = [
    {
      drift: 'a location left out of the bake default group',
      apply: (dir) => edit(dir, 'docker-bake.hcl', (t) => t.replace(/\s*"dagster-vanguard-wholesale",/, '')),
      expect: /docker-bake\.hcl:11: vanguard_wholesale has no counterpart of underwriting_ml's "dagster-underwriting-ml" in group "default" targets/,
    },
    {
      drift: 'a Dockerfile without a member stub',
      apply: (dir) => edit(dir, 'Dockerfile.vanguard.wholesale', (t) => t.replace(/^COPY src\/underwriting_ml\/pyproject\.toml.*\n/m, '')),
      expect: /Dockerfile\.vanguard\.wholesale:21: does not COPY src\/underwriting_ml\/pyproject\.toml/,
    },
    {
      drift: 'two locations sharing a port',
      apply: (dir) => edit(dir, 'workspace.yaml', (t) => t.replace('port: 4000', 'port: 4001')),
      expect: /^(?=[\s\S]*port 4001 is used by vanguard_wholesale and underwriting_ml)(?=[\s\S]*ports disagree for vanguard_wholesale: 4001 \(workspace\.yaml)/,
    },
    {
      drift: 'a ClickHouse module importing dagster',
      apply: (dir) => edit(dir, 'src/underwriting_ml/clickhouse/asset_registry.py', (t) => `import dagster as dg\n${t}`),
      expect: /src\/underwriting_ml\/clickhouse\/asset_registry\.py: imports dagster/,
    },
    {
      drift: 'two locations sharing an IO manager base_dir',
      apply: (dir) => edit(dir, 'src/vanguard_wholesale/definitions.py', (t) => t.replace('{data_dir}/vanguard_wholesale', '{data_dir}/underwriting_ml')),
      expect: /vanguard_wholesale and underwriting_ml share the IO manager base_dir \{data_dir\}\/underwriting_ml|underwriting_ml and vanguard_wholesale share/,
    },
    {
      drift: 'a ClickHouse location missing from Dockerfile.bootstrap',
      apply: (dir) => edit(dir, 'Dockerfile.bootstrap', (t) => t.replace(/^COPY src\/underwriting_ml\/clickhouse .*\n/m, '')),
      expect: /Dockerfile\.bootstrap: underwriting_ml has a clickhouse\/ package that the bootstrap image does not COPY/,
    },
    {
      drift: 'a location added by hand',
      apply: addByHand,
      expect: /compose\.yml: fraud_signals is missing from a compose service[\s\S]*bitbucket-pipelines\.yml: fraud_signals is missing/,
    },
  ];

  for (const { drift, apply, expect } of drifts) {
    it(`reports ${drift}, exit 1`, () => {
      const dir = copyFixture();
      apply(dir);
      const result = runBin(dir, ['doctor']);
      assert.equal(result.status, 1, result.output);
      assert.match(result.output, expect);
    });
  }

  it('--json prints the audit for machines', () => {
    const dir = copyFixture();
    edit(dir, 'docker-bake.hcl', (t) => t.replace(/\s*"dagster-vanguard-wholesale",/, ''));
    const result = runBin(dir, ['doctor', '--json']);
    assert.equal(result.status, 1);
    const parsed = JSON.parse(result.stdout) as ReturnType<typeof audit>;
    assert.deepEqual(
      parsed.problems.map((p) => [p.location, p.registry]),
      [['vanguard_wholesale', 'bake']],
    );
    assert.equal(parsed.locations.find((l) => l.name === 'vanguard_wholesale')?.registered.bake, false);
  });

  it('--fix registers a location added by hand, and the repo audits clean afterwards', () => {
    const dir = copyFixture();
    addByHand(dir);
    edit(dir, 'docker-bake.hcl', (t) => t.replace(/\s*"dagster-vanguard-wholesale",/, ''));
    assert.ok(audit(dir).problems.length > 5);
    const result = runBin(dir, ['doctor', '--fix', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.deepEqual(audit(dir).problems, []);
    assert.match(readFileSync(join(dir, 'workspace.yaml'), 'utf8'), /host: fraud_signals\n\s+port: 4002/);
  });

  it('sees a location nobody registered (a definitions.py outside the members), and --fix registers it everywhere', () => {
    const dir = copyFixture(MESSY);
    addByHand(dir);
    // Not even a workspace member: only its folder says it is there.
    edit(dir, 'pyproject.toml', (t) => t.replace(', "src/fraud_signals"]', ']'));
    const before = runBin(dir, ['doctor']);
    assert.equal(before.status, 1, before.output);
    assert.match(before.output, /^fraud_signals\s+\?\s+/m);
    assert.match(before.output, /src\/fraud_signals\/definitions\.py: fraud_signals has a definitions\.py but is not a workspace member/);
    assert.match(before.output, /pyproject\.toml:\d+: fraud_signals has no counterpart of underwriting_ml's "src\/underwriting_ml" in \[tool\.uv\.workspace\]\.members/);
    const fixed = runBin(dir, ['doctor', '--fix', '--force', '--skip-install']);
    assert.equal(fixed.status, 0, fixed.output);
    assert.match(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), /"src\/fraud_signals",/);
    assert.match(readFileSync(join(dir, 'docker-bake.hcl'), 'utf8'), /target "dagster-fraud-signals"/);
    const after = runBin(dir, ['doctor']);
    assert.equal(after.status, 0, after.output);
  });
});
