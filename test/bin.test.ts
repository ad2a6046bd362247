/**
 * The two ways in, as a user types them: the package's own `dagster-location` bin and `yo`.
 * These run the built JavaScript as separate processes with no terminal (stdin closed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changes, copyFixture, exists, PROJECT, read, runBin, snapshot } from './helpers.js';

describe('dagster-location (the bin)', () => {
  it('--help names every sub-generator and the options', () => {
    const result = runBin(tmpdir(), ['--help']);
    assert.equal(result.status, 0, result.output);
    for (const sub of ['package', 'clickhouse', 'docker', 'ci', 'env', 'doctor']) assert.match(result.stdout, new RegExp(sub));
    for (const option of ['--description', '--clickhouse', '--skip-install', '--force', '--dry-run', '--bail']) {
      assert.ok(result.output.includes(option), `${option} in help`);
    }
  });

  it('runs from a folder inside the monorepo and writes at its root', () => {
    const dir = copyFixture();
    const result = runBin(join(dir, 'src', 'shared'), ['network_analytics', 'analytics', '4002', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.ok(exists(dir, 'src/network_analytics/definitions.py'));
    assert.match(read(dir, 'pyproject.toml'), /"src\/network_analytics"/);
    assert.ok(!exists(dir, 'src/shared/src'), 'nothing is written relative to the folder it was run from');
  });

  it('outside a monorepo: a clear error, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-a-monorepo-'));
    const result = runBin(dir, ['network_analytics', '--force']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /No uv-workspace monorepo found/);
  });

  it('without a terminal and without --force: nothing written, and says how to proceed', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--skip-install']);
    assert.equal(result.status, 1, result.output);
    assert.match(result.stderr, /--force/);
    assert.match(result.stderr, /Nothing was written/);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  it('--dry-run prints a unified diff of the whole change and writes nothing', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--dry-run', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(result.stdout, /^--- a\/pyproject\.toml$/m);
    assert.match(result.stdout, /^\+members = \["src\/shared", "src\/vanguard_wholesale", "src\/underwriting_ml", "src\/network_analytics"\]$/m);
    assert.match(result.stdout, /^\+\+\+ b\/src\/network_analytics\/definitions\.py$/m);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  it('a missing package name with no terminal to ask: error with the usage, exit 1', () => {
    const dir = copyFixture();
    const result = runBin(dir, ['--force', '--skip-install']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Missing <package_name>.*dagster-location <package_name> \[short_name\] \[port\]/s);
  });

  it('a sub-generator by name: `dagster-location package ...` runs phases 1-2 only', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['package', 'network_analytics', 'analytics', '4002', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    const diff = changes(before, snapshot(dir));
    assert.deepEqual(diff.changed, ['pyproject.toml']);
    assert.ok(diff.added.every((f) => f.startsWith('src/network_analytics/')));
  });
});

describe('yo dagster-location', () => {
  /** yo finds the generator through NODE_PATH; as root it switches user, so HOME and the repo must be writable. */
  function runYo(cwd: string, args: string[]) {
    const base = mkdtempSync(join(tmpdir(), 'yo-'));
    const modules = join(base, 'node_modules');
    const home = join(base, 'home');
    mkdirSync(modules);
    mkdirSync(home);
    symlinkSync(PROJECT, join(modules, 'generator-dagster-location'));
    for (const dir of [base, home]) chmodSync(dir, 0o777);
    spawnSync('chmod', ['-R', 'a+rwX', cwd]);
    const yo = join(PROJECT, 'node_modules', '.bin', 'yo');
    const result = spawnSync(yo, [...args, '--no-insight'], {
      cwd,
      encoding: 'utf8',
      input: '',
      env: { ...process.env, HOME: home, NODE_PATH: modules, NO_COLOR: '1', NO_UPDATE_NOTIFIER: '1' },
      timeout: 120_000,
    });
    return { status: result.status, output: result.stdout + result.stderr };
  }

  it('creates the same location as the bin', () => {
    const viaYo = copyFixture();
    const viaBin = copyFixture();
    const args = ['network_analytics', 'analytics', '4002', '--force', '--skip-install'];
    const yoResult = runYo(viaYo, ['dagster-location', ...args]);
    assert.equal(yoResult.status, 0, yoResult.output);
    assert.equal(runBin(viaBin, args).status, 0);
    const a = snapshot(viaYo);
    const b = snapshot(viaBin);
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [file, bytes] of a) assert.ok(bytes.equals(b.get(file)!), `${file} is the same either way`);
  });

  it('runs a sub-generator: yo dagster-location:clickhouse vanguard_wholesale', () => {
    const dir = copyFixture();
    const result = runYo(dir, ['dagster-location:clickhouse', 'vanguard_wholesale', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(read(dir, 'src/vanguard_wholesale/clickhouse/asset_registry.py'), /DB_NAME = "vanguard_wholesale"/);
    assert.match(read(dir, 'Dockerfile.bootstrap'), /^COPY src\/vanguard_wholesale\/clickhouse \.\/src\/vanguard_wholesale\/clickhouse$/m);
  });
});
