/**
 * The interactive path in a real terminal: tmux runs the bin, send-keys answers the prompts and
 * the conflict review, capture-pane reads the screen. Skipped where tmux is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, changes, copyFixture, exists, read, snapshot } from './helpers.js';

const SOCKET = `dagster-location-test-${process.pid}`;
// A socket folder of the test's own: tmux refuses a shared /tmp/tmux-<uid> that others made unsafe.
const TMUX_TMPDIR = mkdtempSync(join(tmpdir(), 'tmux-'));
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', env: { ...process.env, TMUX_TMPDIR } });
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'run', '-S', '-200').stdout;
}

/** Wait until the screen shows `text` (the prompt is ready), or fail after a while. */
async function waitFor(text: RegExp, timeoutMs = 50_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const shown = screen();
    if (text.test(shown)) return shown;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${text}; screen:\n${shown}`);
    await sleep(200);
  }
}

/** Every value on the command line (the shell reads the line: the description is quoted). */
const GIVEN = ['network_analytics', 'analytics', '4002', '--description', "'Network analytics'", '--no-clickhouse'];

function start(dir: string, args: string[], env = 'NO_COLOR=1'): void {
  const command = `cd ${dir} && ${env} ${process.execPath} ${BIN} ${args.join(' ')}; echo EXIT=$?; sleep 60`;
  tmux('new-session', '-d', '-s', 'run', '-x', '200', '-y', '60', command);
}

/** The files the review asked about and got an answer for, in order, on the screen. */
function answered(shown: string): string[] {
  return [...shown.matchAll(/^✔ Overwrite (\S+)\? overwrite$/gm)].map((m) => m[1]);
}

/** A `uv` that says it runs and then waits, so a test can press Ctrl-C while it does. */
function slowUv(): string {
  const bin = mkdtempSync(join(tmpdir(), 'slow-uv-'));
  writeFileSync(join(bin, 'uv'), '#!/bin/sh\n[ "$1" = "--version" ] && exit 0\necho "uv $1: working"\nsleep 30\n');
  chmodSync(join(bin, 'uv'), 0o755);
  return bin;
}

describe('in a terminal', function () {
  // A shared, busy machine can take a while to start a process in a new terminal.
  this.timeout(180_000);
  before(function () {
    if (!hasTmux) this.skip();
  });
  afterEach(() => tmux('kill-server'));

  it('asks for every value with its default, reviews each changed file, then writes', async () => {
    const dir = copyFixture();
    start(dir, ['--skip-install']);
    await waitFor(/Package name of the code location/);
    tmux('send-keys', '-t', 'run', 'network-analytics', 'Enter');
    await waitFor(/use snake_case: network_analytics/);
    tmux('send-keys', '-t', 'run', ...Array(17).fill('BSpace'), 'network_analytics', 'Enter');
    await waitFor(/Short name .*\(analytics\)/);
    tmux('send-keys', '-t', 'run', 'Enter');
    await waitFor(/gRPC code-server port \(4002\)/);
    tmux('send-keys', '-t', 'run', 'Enter');
    await waitFor(/One-line description .*\(Network analytics\)/);
    tmux('send-keys', '-t', 'run', 'Traffic counts per cell', 'Enter');
    await waitFor(/queryable via ClickHouse\? \(y\/N\)/);
    tmux('send-keys', '-t', 'run', 'Enter');
    await waitFor(/Overwrite pyproject\.toml\?/);
    tmux('send-keys', '-t', 'run', 'd', 'Enter');
    const diff = await waitFor(/\+members = \["src\/shared", "src\/vanguard_wholesale", "src\/underwriting_ml", "src\/network_analytics"\]/);
    assert.match(diff, /-members = \["src\/shared", "src\/vanguard_wholesale", "src\/underwriting_ml"\]/);
    tmux('send-keys', '-t', 'run', 'a', 'Enter');
    const end = await waitFor(/EXIT=\d+/);
    assert.match(end, /EXIT=0/);
    assert.match(end, /SERVICE_IMAGE_NAME_ANALYTICS/);
    assert.ok(exists(dir, 'src/network_analytics/definitions.py'));
    assert.ok(!exists(dir, 'src/network_analytics/clickhouse'), 'ClickHouse was declined');
    assert.match(read(dir, 'workspace.yaml'), /location_name: "network_analytics"/);
    assert.match(read(dir, 'src/network_analytics/pyproject.toml'), /^description = "Traffic counts per cell"$/m);
  });

  it('aborting the review (x) writes nothing at all', async () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    start(dir, [...GIVEN, '--skip-install']);
    await waitFor(/Overwrite pyproject\.toml\?/);
    tmux('send-keys', '-t', 'run', 'y', 'Enter');
    await waitFor(/Overwrite (?!pyproject)\S+\?/);
    tmux('send-keys', '-t', 'run', 'x', 'Enter');
    const end = await waitFor(/EXIT=\d+/);
    assert.match(end, /Nothing was written/);
    assert.match(end, /EXIT=1/);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
    assert.ok(!exists(join(dir, 'src'), 'network_analytics'));
  });

  it('reviews the files in the order of the phases; `d` shows hunks with context, not the whole file', async () => {
    const dir = copyFixture();
    start(dir, [...GIVEN, '--skip-install']);
    const first = await waitFor(/Overwrite pyproject\.toml\? \(/);
    // The menu: overwrite, skip, all, diff, abort, help. No `i`, which would write a .yo-resolve into the repo.
    assert.match(first, /Overwrite pyproject\.toml\? \(ynadxH\)/);
    tmux('send-keys', '-t', 'run', 'd', 'Enter');
    const diff = (await waitFor(/show the changes[\s\S]*\? Overwrite pyproject\.toml\? \(/)).split(/show the changes/).at(-1)!;
    assert.match(diff, /^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    assert.match(diff, /^\+members = \["src\/shared", "src\/vanguard_wholesale", "src\/underwriting_ml", "src\/network_analytics"\]$/m);
    assert.match(diff, /^ \[tool\.uv\.workspace\]$/m, 'context lines around the change');
    assert.doesNotMatch(diff, /rev-sci-dagster|requires-python/, 'lines far from every change are not shown');
    // One answer at a time: the next once the screen shows the previous one taken.
    for (let count = 1; count < 20; count++) {
      tmux('send-keys', '-t', 'run', 'y', 'Enter');
      const shown = await waitFor(new RegExp(`(^✔ Overwrite \\S+\\? overwrite$[\\s\\S]*?){${count}}(\\? Overwrite \\S+\\? \\(|EXIT=\\d+)`, 'm'));
      if (/EXIT=\d+/.test(shown)) break;
    }
    const end = await waitFor(/EXIT=\d+/);
    assert.match(end, /EXIT=0/);
    assert.deepEqual(answered(end), [
      // phase 2
      'pyproject.toml',
      // phase 4: every Dockerfile's stub; phase 5: compose and Swarm
      'Dockerfile.bootstrap',
      'Dockerfile.underwriting.ml',
      'Dockerfile.vanguard.wholesale',
      'compose.yml',
      'docker-stack.yml',
      // phase 6
      'workspace.yaml',
      'docker-bake.hcl',
      'bitbucket-pipelines.yml',
      // phase 7
      'devtools/check_defs.py',
      'devtools/dev_local.py',
    ]);
  });

  it('a file you decline is left as it was, and the summary says so (not "changed")', async () => {
    const dir = copyFixture();
    const pyproject = read(dir, 'pyproject.toml');
    start(dir, [...GIVEN, '--skip-install']);
    await waitFor(/Overwrite pyproject\.toml\? \(/);
    tmux('send-keys', '-t', 'run', 'n', 'Enter');
    await waitFor(/Overwrite Dockerfile\.bootstrap\? \(/);
    tmux('send-keys', '-t', 'run', 'a', 'Enter');
    const end = await waitFor(/EXIT=\d+/);
    assert.match(end, /EXIT=0/);
    assert.equal(read(dir, 'pyproject.toml'), pyproject);
    assert.match(end, /^ {2}skipped +pyproject\.toml {2}\(you answered no in the review; not registered there\)$/m);
    assert.doesNotMatch(end, /changed +pyproject\.toml/);
    assert.match(end, /^ {2}changed +compose\.yml$/m);
  });

  it('Ctrl-C at a question: "Cancelled. Nothing was written.", exit 130', async () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    start(dir, ['--skip-install']);
    await waitFor(/Package name of the code location/);
    tmux('send-keys', '-t', 'run', 'C-c');
    const end = await waitFor(/EXIT=\d+/);
    assert.match(end, /^Cancelled\. Nothing was written\.$/m);
    assert.match(end, /EXIT=130/);
    assert.doesNotMatch(end, /Error|at .*\.js:\d+/, 'no error, no stack');
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  it('Ctrl-C in the middle of the review: nothing written, not even the files already approved', async () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    start(dir, [...GIVEN, '--skip-install']);
    await waitFor(/Overwrite pyproject\.toml\? \(/);
    tmux('send-keys', '-t', 'run', 'y', 'Enter');
    await waitFor(/Overwrite Dockerfile\.bootstrap\? \(/);
    tmux('send-keys', '-t', 'run', 'C-c');
    const end = await waitFor(/EXIT=\d+/);
    assert.match(end, /^Cancelled\. Nothing was written\.$/m);
    assert.match(end, /EXIT=130/);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  it('Ctrl-C while uv runs, after the files are written: says so, exit 130', async () => {
    const dir = copyFixture();
    start(dir, [...GIVEN, '--force'], `NO_COLOR=1 PATH=${slowUv()}:$PATH`);
    await waitFor(/uv lock: working/);
    tmux('send-keys', '-t', 'run', 'C-c');
    const end = await waitFor(/EXIT=\d+/);
    assert.match(end, /Cancelled after the files were written \(they stay as written\)/);
    assert.doesNotMatch(end, /Nothing was written/);
    assert.match(end, /EXIT=130/);
    assert.ok(exists(dir, 'src/network_analytics/definitions.py'));
  });

  it('colours the terminal, and not with NO_COLOR', async () => {
    const dir = copyFixture();
    start(dir, [...GIVEN, '--force', '--skip-install'], 'TERM=xterm-256color');
    const coloured = await waitFor(/EXIT=\d+/);
    assert.match(coloured, /EXIT=0/);
    const escapes = tmux('capture-pane', '-p', '-e', '-t', 'run', '-S', '-200').stdout;
    assert.match(escapes.replaceAll('\u001b', '~'), /~\[(?:1|3[1-7])m/, 'coloured on a terminal');
    tmux('kill-server');
    start(copyFixture(), [...GIVEN, '--force', '--skip-install'], 'TERM=xterm-256color NO_COLOR=1');
    await waitFor(/EXIT=\d+/);
    // tmux itself may write resets; no colour (3x/9x foreground, 4x background, bold) from the run.
    const plain = tmux('capture-pane', '-p', '-e', '-t', 'run', '-S', '-200').stdout;
    assert.doesNotMatch(plain.replaceAll('\u001b', '~'), /~\[(?:1|2|3[1-7]|9[0-7]|4[1-7])(?:;[0-9;]*)?m/, 'no colour with NO_COLOR');
  });
});
