/**
 * The install phase: `uv lock` then `uv sync --group dev` at the monorepo root, with a fake `uv`
 * on PATH that records its arguments (and fails when asked to).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyFixture, exists, runBin } from './helpers.js';

/** A folder holding a `uv` that appends "<cwd> <args>" to a log and exits with $FAKE_UV_EXIT_<verb>. */
function fakeUv(): { bin: string; log: string } {
  const bin = mkdtempSync(join(tmpdir(), 'fake-uv-'));
  const log = join(bin, 'calls.log');
  writeFileSync(
    join(bin, 'uv'),
    `#!/bin/sh\necho "$(pwd) $*" >> ${log}\nif [ "$1" = "--version" ]; then echo "uv 0.0.0"; exit 0; fi\necho "uv $1: output from uv"\neval "exit \\\${FAKE_UV_EXIT_$1:-0}"\n`,
  );
  chmodSync(join(bin, 'uv'), 0o755);
  return { bin, log };
}

const ARGS = ['network_analytics', 'analytics', '4002', '--no-clickhouse', '--force'];

describe('install: uv lock and uv sync --group dev', () => {
  it('runs both at the monorepo root, in that order, after writing', () => {
    const dir = copyFixture();
    const uv = fakeUv();
    const result = runBin(join(dir, 'src'), ARGS, { PATH: `${uv.bin}:/usr/bin:/bin` });
    assert.equal(result.status, 0, result.output);
    const calls = readFileSync(uv.log, 'utf8').trim().split('\n').filter((line) => !line.endsWith('--version'));
    assert.deepEqual(calls, [`${dir} lock`, `${dir} sync --group dev`]);
    assert.doesNotMatch(result.stdout, /did not run/);
  });

  it('when uv is not installed: files written, a warning naming the commands, exit 0', () => {
    const dir = copyFixture();
    const empty = mkdtempSync(join(tmpdir(), 'no-uv-'));
    const result = runBin(dir, ARGS, { PATH: empty });
    assert.equal(result.status, 0, result.output);
    assert.ok(exists(dir, 'src/network_analytics/pyproject.toml'));
    assert.match(result.output, /uv is not installed: run `uv lock` and then `uv sync --group dev` by hand/);
  });

  it('when uv lock fails: its output, the commands to retry, exit 1 (the files stay written)', () => {
    const dir = copyFixture();
    const uv = fakeUv();
    const result = runBin(dir, ARGS, { PATH: `${uv.bin}:/usr/bin:/bin`, FAKE_UV_EXIT_lock: '3' });
    assert.equal(result.status, 1, result.output);
    assert.match(result.output, /uv lock: output from uv/);
    assert.match(result.stderr, /uv lock failed \(exit 3\)[\s\S]*uv lock\n\s+uv sync --group dev/);
    assert.ok(!readFileSync(uv.log, 'utf8').includes(' sync '), 'no sync after a failed lock');
    assert.ok(existsSync(join(dir, 'src/network_analytics/definitions.py')));
  });

  it('--skip-install runs neither and says so', () => {
    const dir = copyFixture();
    const uv = fakeUv();
    const result = runBin(dir, [...ARGS, '--skip-install'], { PATH: `${uv.bin}:/usr/bin:/bin` });
    assert.equal(result.status, 0, result.output);
    assert.ok(!existsSync(uv.log) || !/ lock| sync/.test(readFileSync(uv.log, 'utf8')));
    assert.match(result.stdout, /Run `uv lock` and `uv sync --group dev` \(--skip-install: they did not run\)/);
  });
});
