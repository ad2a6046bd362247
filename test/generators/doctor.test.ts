import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditMonorepo } from '../../lib/audit.js';
import { diskLister, readMonorepo } from '../../lib/monorepo.js';
import { visibleWidth } from '../../lib/color.js';
import { changes, copyFixture, EXAMPLE, MESSY, runBin, snapshot } from '../helpers.js';

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
      assert.match(result.stdout, /^vanguard_wholesale\s+4000\s+(✓\s*){13}$/m);
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
      expect: /Dockerfile\.vanguard\.wholesale:\d+: does not COPY src\/underwriting_ml\/pyproject\.toml/,
    },
    {
      drift: 'two locations sharing a port',
      apply: (dir) => edit(dir, 'workspace.yaml', (t) => t.replace('port: 4000', 'port: 4001')),
      expect: /^(?=[\s\S]*port 4001 is used by vanguard_wholesale and underwriting_ml)(?=[\s\S]*ports disagree for vanguard_wholesale: 4001 \(workspace\.yaml)/,
    },
    {
      drift: 'a ClickHouse module importing dagster',
      apply: (dir) => edit(dir, 'src/underwriting_ml/clickhouse/asset_registry.py', (t) => `import dagster as dg\n${t}`),
      expect: /src\/underwriting_ml\/clickhouse\/asset_registry\.py:1: imports dagster/,
    },
    {
      drift: 'two locations sharing an IO manager base_dir',
      apply: (dir) => edit(dir, 'src/vanguard_wholesale/definitions.py', (t) => t.replace('{data_dir}/vanguard_wholesale', '{data_dir}/underwriting_ml')),
      expect: /vanguard_wholesale and underwriting_ml share the IO manager base_dir \{data_dir\}\/underwriting_ml|underwriting_ml and vanguard_wholesale share/,
    },
    {
      drift: 'a ClickHouse location missing from Dockerfile.bootstrap',
      apply: (dir) => edit(dir, 'Dockerfile.bootstrap', (t) => t.replace(/^COPY src\/underwriting_ml\/clickhouse .*\n/m, '')),
      expect: /Dockerfile\.bootstrap:\d+: underwriting_ml has a clickhouse\/ package that the bootstrap image does not COPY/,
    },
    {
      drift: 'a location added by hand',
      apply: addByHand,
      expect: /compose\.yml:\d+: fraud_signals has no counterpart of underwriting_ml's services\.underwriting_ml$[\s\S]*bitbucket-pipelines\.yml:\d+: fraud_signals has no counterpart of underwriting_ml's/m,
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

  it('--json gives one object per finding: file, line, location, registry, fixable', () => {
    const dir = copyFixture();
    edit(dir, 'docker-bake.hcl', (t) => t.replace(/\s*"dagster-vanguard-wholesale",/, ''));
    // Ports disagreeing across three files: one finding in each, never a comma-joined file.
    edit(dir, 'workspace.yaml', (t) => t.replace('port: 4000', 'port: 4005'));
    const result = runBin(dir, ['doctor', '--json']);
    assert.equal(result.status, 1);
    const parsed = JSON.parse(result.stdout) as { findings: Array<Record<string, unknown>>; locations: Array<{ name: string; registered: Record<string, boolean | null> }> };
    for (const finding of parsed.findings) {
      assert.deepEqual(Object.keys(finding).sort(), ['file', 'fix', 'fixable', 'line', 'location', 'problem', 'registry']);
      assert.equal(typeof finding.file, 'string');
      assert.doesNotMatch(finding.file as string, /, /);
      assert.ok(finding.line === null || (Number.isInteger(finding.line) && (finding.line as number) > 0));
      assert.equal(typeof finding.fixable, 'boolean');
    }
    const summary = parsed.findings.map((f) => [f.file, f.line, f.location, f.registry, f.fixable]);
    assert.deepEqual(summary.find((f) => f[3] === 'bake'), ['docker-bake.hcl', 11, 'vanguard_wholesale', 'bake', true]);
    const ports = parsed.findings.filter((f) => String(f.problem).startsWith('ports disagree'));
    assert.deepEqual(ports.map((f) => f.file).sort(), ['Dockerfile.vanguard.wholesale', 'compose.yml', 'workspace.yaml']);
    assert.ok(ports.every((f) => f.fixable === false && f.location === 'vanguard_wholesale'));
    // Each line is where the port is written.
    for (const f of ports) assert.match(readFileSync(join(dir, f.file as string), 'utf8').split('\n')[(f.line as number) - 1], /400[05]/);
    assert.match(readFileSync(join(dir, 'docker-bake.hcl'), 'utf8').split('\n')[10], /^\s*targets\s*=/, 'the line of the group\'s targets');
    assert.equal(parsed.locations.find((l) => l.name === 'vanguard_wholesale')?.registered.bake, false);
  });

  it('names the one of webserver and daemon that lacks the entry, at its depends_on list', () => {
    const dir = copyFixture();
    const compose = readFileSync(join(dir, 'compose.yml'), 'utf8');
    const daemon = compose.indexOf('dagster_daemon:');
    const entry = compose.indexOf('      - underwriting_ml\n', daemon);
    writeFileSync(join(dir, 'compose.yml'), compose.slice(0, entry) + compose.slice(entry + '      - underwriting_ml\n'.length));
    const result = runBin(dir, ['doctor']);
    assert.equal(result.status, 1);
    const found = /compose\.yml:(\d+): underwriting_ml has no counterpart of vanguard_wholesale's services\.dagster_daemon\.depends_on entry vanguard_wholesale$/m.exec(result.stdout);
    assert.ok(found, result.stdout);
    assert.doesNotMatch(result.stdout, /webserver and (the )?daemon|dagster_webserver/);
    // The line is the counterpart's entry in the daemon's depends_on list.
    const lines = readFileSync(join(dir, 'compose.yml'), 'utf8').split('\n');
    assert.match(lines[Number(found[1]) - 1], /^\s+- vanguard_wholesale$/);
    const above = lines.slice(0, Number(found[1]) - 1);
    assert.ok(above.findLastIndex((l) => /^\s+depends_on:/.test(l)) > above.findLastIndex((l) => /^ {2}dagster_daemon:/.test(l)), 'inside dagster_daemon\'s depends_on');
    assert.ok(above.findLastIndex((l) => /^ {2}dagster_daemon:/.test(l)) > above.findLastIndex((l) => /^ {2}\w+:/.test(l) && !/dagster_daemon/.test(l)), 'under dagster_daemon');
  });

  it('the table fits 100 columns, whatever the names; the details go below it', () => {
    const dir = copyFixture();
    addByHand(dir);
    // A long name (55 characters is the longest a location may have).
    const long = 'quarterly_regulatory_capital_adequacy_reporting_pipeline'.slice(0, 55);
    mkdirSync(join(dir, 'src', long));
    writeFileSync(join(dir, 'src', long, 'definitions.py'), '');
    writeFileSync(join(dir, 'src', long, 'pyproject.toml'), `[project]\nname = "${long.replaceAll('_', '-')}"\n`);
    edit(dir, 'pyproject.toml', (t) => t.replace('"src/fraud_signals"]', `"src/fraud_signals", "src/${long}"]`));
    const result = runBin(dir, ['doctor']);
    assert.equal(result.status, 1);
    const table = result.stdout.split(/\n\n\d+ problem\(s\)/)[0];
    for (const line of table.split('\n')) assert.ok(visibleWidth(line) <= 100, `${visibleWidth(line)} columns: ${line}`);
    assert.match(table, new RegExp(`^${long}$`, 'm'), 'a name too long for its column has a line of its own');
    assert.match(result.stdout, /^vanguard_wholesale\s+4000\s+(✓\s*){13}$/m);
  });

  it('--fix --dry-run: the fix as a patch, nothing written, exit 1 while there is something to fix', () => {
    const dir = copyFixture();
    addByHand(dir);
    const before = snapshot(dir);
    const result = runBin(dir, ['doctor', '--fix', '--dry-run']);
    assert.equal(result.status, 1, result.output);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
    assert.match(result.stdout, /^diff --git a\/workspace\.yaml b\/workspace\.yaml$/m);
    assert.doesNotMatch(result.stdout, /problem\(s\)|✓/, 'stdout is only the patch');
    assert.match(result.stderr, /would be fixed[\s\S]*Nothing was written\./);
    // The patch is what --fix writes.
    writeFileSync(join(dir, '..', 'fix.patch'), result.stdout);
    const applied = spawnSync('git', ['apply', join(dir, '..', 'fix.patch')], { cwd: dir, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    const fixed = copyFixture();
    addByHand(fixed);
    assert.equal(runBin(fixed, ['doctor', '--fix', '--force', '--skip-install']).status, 0);
    assert.deepEqual(changes(snapshot(fixed), snapshot(dir)), { added: [], changed: [], removed: [] });
    // On a clean repo there is nothing to fix.
    assert.equal(runBin(copyFixture(), ['doctor', '--fix', '--dry-run']).status, 0);
  });

  it('a missing Dockerfile stub that --fix counts as fixable is fixed; another member\'s is left to a person', () => {
    const dir = copyFixture();
    edit(dir, 'Dockerfile.vanguard.wholesale', (t) => t.replace(/^COPY src\/underwriting_ml\/pyproject\.toml.*\n/m, '').replace(/^COPY src\/shared\/pyproject\.toml.*\n/m, ''));
    const findings = (JSON.parse(runBin(dir, ['doctor', '--json']).stdout) as { findings: Array<{ problem: string; fixable: boolean }> }).findings;
    assert.deepEqual(
      findings.map((f) => [f.problem.replace(/,.*/, ''), f.fixable]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['does not COPY src/shared/pyproject.toml', false],
        ['does not COPY src/underwriting_ml/pyproject.toml', true],
      ],
    );
    const result = runBin(dir, ['doctor', '--fix', '--force', '--skip-install']);
    assert.equal(result.status, 1, 'the member no phase adds is still missing');
    assert.match(readFileSync(join(dir, 'Dockerfile.vanguard.wholesale'), 'utf8'), /^COPY src\/underwriting_ml\/pyproject\.toml /m);
    assert.match(result.stdout, /1 problem\(s\), 0 fixable[\s\S]*does not COPY src\/shared\/pyproject\.toml[\s\S]*fix \(by hand\): add COPY/);
    assert.match(result.stderr, /1 problem\(s\) remain after --fix/);
  });

  it('--fix audits again and prints the table after the fix: exit 1 only if problems remain', () => {
    const dir = copyFixture();
    addByHand(dir);
    edit(dir, 'src/underwriting_ml/clickhouse/asset_registry.py', (t) => `import dagster as dg\n${t}`);
    const result = runBin(dir, ['doctor', '--fix', '--force', '--skip-install']);
    assert.equal(result.status, 1, result.output);
    assert.match(result.stdout, /^fraud_signals\s+4002\s+(✓\s*){13}$/m, 'the table is the one after the fix');
    assert.match(result.stdout, /1 problem\(s\), 0 fixable[\s\S]*asset_registry\.py:1: imports dagster/);
    assert.match(result.stderr, /1 problem\(s\) remain after --fix/);
  });

  it('restores a bake target in the style of its neighbours (aligned `=`, their indentation)', () => {
    const dir = copyFixture(MESSY);
    // The canonical's own target is gone: nothing to copy, so the guide's target is written like the sibling's.
    edit(dir, 'docker-bake.hcl', (t) => t.replace(/target "dagster-underwriting-ml" \{[\s\S]*?\n\}\r?\n\r?\n/, ''));
    const result = runBin(dir, ['doctor', '--fix', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    const block = /target "dagster-underwriting-ml" \{\r?\n([\s\S]*?)\r?\n\}/.exec(readFileSync(join(dir, 'docker-bake.hcl'), 'utf8'));
    assert.ok(block, 'the target is back');
    const attributes = block[1].split(/\r?\n/).filter((line) => /^\s+\w+\s*=/.test(line));
    assert.ok(attributes.length >= 4);
    assert.equal(new Set(attributes.map((line) => line.indexOf('='))).size, 1, `aligned:\n${block[1]}`);
    assert.ok(attributes.every((line) => line.startsWith('    ') && !line.startsWith('     ')), 'indented like its sibling');
  });

  it('--fix uses the short name and port `dagster-location package` recorded', () => {
    const dir = copyFixture();
    assert.equal(runBin(dir, ['package', 'network_analytics', 'netan', '4007', '--force', '--skip-install']).status, 0);
    assert.match(readFileSync(join(dir, 'src/network_analytics/pyproject.toml'), 'utf8'), /\[tool\.dagster-location\]\nshort-name = "netan"\nport = 4007\n|\[tool\.dagster-location\]\n#.*\nshort-name = "netan"\nport = 4007\n/);
    const result = runBin(dir, ['doctor', '--fix', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(readFileSync(join(dir, 'workspace.yaml'), 'utf8'), /host: network_analytics\n\s+port: 4007/);
    assert.match(readFileSync(join(dir, 'docker-stack.yml'), 'utf8'), /DAGSTER_BUILD_TAG_NETAN/);
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
