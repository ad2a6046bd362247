/**
 * The interactive path in a real terminal: tmux runs the bin, send-keys answers the prompts and
 * the conflict review, capture-pane reads the screen. Skipped where tmux is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, changes, copyFixture, exists, read, snapshot } from './helpers.js';

const SOCKET = `dagster-location-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'run', '-S', '-200').stdout;
}

/** Wait until the screen shows `text` (the prompt is ready), or fail after a while. */
async function waitFor(text: RegExp, timeoutMs = 30_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const shown = screen();
    if (text.test(shown)) return shown;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${text}; screen:\n${shown}`);
    await sleep(200);
  }
}

function start(dir: string, args: string[]): void {
  const command = `cd ${dir} && NO_COLOR=1 ${process.execPath} ${BIN} ${args.join(' ')}; echo EXIT=$?; sleep 60`;
  tmux('new-session', '-d', '-s', 'run', '-x', '200', '-y', '60', command);
}

describe('in a terminal', function () {
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
  });

  it('aborting the review (x) writes nothing at all', async () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    start(dir, ['network_analytics', 'analytics', '4002', '--no-clickhouse', '--skip-install']);
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
});
