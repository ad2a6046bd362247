/**
 * Writes that cannot half-happen, and bytes that stay as they were, on copies of the fixture
 * monorepos with the built bin (`npm run build` first):
 * - a run killed at every step of its commit (DAGSTER_LOCATION_FAULT, no timing luck) leaves no
 *   truncated file, and after the next command (or `recover`) the tree is byte for byte the
 *   original or the full result;
 * - SIGTERM during the commit: the change is completed, then the run stops;
 * - one run at a time (the lock), and two runs started together never lose an update;
 * - a file changed while the run works is not overwritten;
 * - no write through a link out of the repo; BOMs kept; non-UTF-8 files refused with file:line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { acquireLock, lockPath, releaseLock } from '../lib/lock.js';
import { journalDir, recoverJournal } from '../lib/journal.js';
import helpers from 'yeoman-test';
import { BIN, changes, copyFixture, EXAMPLE, MESSY, PROJECT, read, runBin, runGenerator, snapshot } from './helpers.js';

const ARGS = ['network_analytics', 'analytics', '4002'];
const ADD = [...ARGS, '--force', '--skip-install'];
const REALWORLD = join(PROJECT, 'test', 'fixtures', 'realworld');

/** The built bin as a process, without waiting (for runs side by side). */
function runBinAsync(cwd: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Run `task` for every item, at most `width` at a time. */
async function pool<T, R>(items: T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

function sameTree(actual: Map<string, Buffer>, expected: Map<string, Buffer>, label: string): void {
  const diff = changes(expected, actual);
  assert.deepEqual(diff, { added: [], changed: [], removed: [] }, label);
}

/** Every entry under a folder: a file's bytes, or where a link points (links not followed). */
function linkSnapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const name = relative(dir, path);
      if (entry.isSymbolicLink()) entries.set(name, `-> ${readlinkSync(path)}`);
      else if (entry.isDirectory()) walk(path);
      else entries.set(name, readFileSync(path, 'base64'));
    }
  };
  walk(dir);
  return entries;
}

/** What a run leaves beside the tree while it works: its temporary files, its lock. */
const inFlight = (path: string) => /\.dagster-location-tmp-\d+$/.test(path) || path.endsWith('.dagster-location.lock');

describe('durable commit: a run killed at any step of writing', function () {
  this.timeout(600_000);
  let original: Map<string, Buffer>;
  let full: Map<string, Buffer>;
  let steps: number;

  before(() => {
    const dir = copyFixture();
    original = snapshot(dir);
    const result = runBin(dir, ADD);
    assert.equal(result.status, 0, result.output);
    full = snapshot(dir);
    const { added, changed, removed } = changes(original, full);
    assert.deepEqual(removed, []);
    // Writing the journal, one temporary file per target, one rename per target, removing the journal.
    steps = 2 + 2 * (added.length + changed.length);
  });

  it('never leaves a truncated or half-written file; the next command, or recover, gives back the original tree byte for byte', async () => {
    const indices = Array.from({ length: steps + 1 }, (_, i) => i + 1);
    const nextCommandAt = 3; // among the temporary files: no target touched yet
    const targets = (steps - 2) / 2;
    const recoverAt = 2 + targets + Math.floor(targets / 2); // half-way through the renames
    // Odd steps in a git work tree (journal and lock in .git/), even ones without.
    await pool(indices, 2, async (step) => {
      const dir = copyFixture();
      if (step % 2 === 1) mkdirSync(join(dir, '.git'));
      const result = await runBinAsync(dir, ADD, { DAGSTER_LOCATION_FAULT: `kill@${step}` });
      const tree = () => new Map([...snapshot(dir)].filter(([path]) => !path.startsWith('.git/')));
      if (step === steps + 1) {
        assert.equal(result.status, 0, `a fault past the last step does not fire:\n${result.stderr}`);
        sameTree(tree(), full, 'a run without a fault writes the full result');
        return;
      }
      assert.equal(result.signal, 'SIGKILL', `killed at step ${step}:\n${result.stderr}`);
      for (const [path, bytes] of tree()) {
        if (inFlight(path)) continue;
        const ok = original.get(path)?.equals(bytes) || full.get(path)?.equals(bytes);
        assert.ok(ok, `${path} is neither its original nor its new version after a kill at step ${step} (${bytes.length} bytes)`);
      }
      if (step === nextCommandAt) {
        // The next run puts the original back first, says so, then makes its change.
        const next = await runBinAsync(dir, ADD);
        assert.equal(next.status, 0, next.stderr);
        assert.match(next.stderr, /Took over the lock .* left by pid \d+ .*which is no longer running/);
        assert.match(next.stderr, /Found the journal of a run that was interrupted while writing \(pid \d+: .*network_analytics.*\); it had not changed any file yet\./);
        sameTree(tree(), full, `the run after a kill at step ${step}`);
        return;
      }
      if (step === recoverAt) {
        const recovered = await runBinAsync(dir, ['recover']);
        assert.equal(recovered.status, 0, recovered.stderr);
        assert.match(recovered.stdout, /put back \d+ file\(s\) as they were before it \(.*pyproject\.toml.*\); removed \d+ file\(s\) it had created \(.*Dockerfile\.network\.analytics.*\)\. The monorepo is as it was before that run\./);
        sameTree(tree(), original, 'after recover');
        const again = await runBinAsync(dir, ['recover']);
        assert.deepEqual([again.status, again.stdout], [0, 'Nothing to recover.\n']);
        return;
      }
      // What the next run does first (quietly here): take the lock, put the tree back.
      acquireLock(dir);
      const recovery = recoverJournal(dir);
      releaseLock(dir);
      if (step > 1) assert.ok(recovery, `the kill at step ${step} left a journal`);
      sameTree(tree(), original, `recovered after a kill at step ${step}`);
      assert.ok(!existsSync(journalDir(dir)), 'the journal is removed');
    });
  });

  it('an error half-way through the renames: every file put back, exit 1, "Nothing was written"', () => {
    const dir = copyFixture();
    const result = runBin(dir, ADD, { DAGSTER_LOCATION_FAULT: `throw@${steps - 3}` });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Writing failed \(fault injected at step \d+ \(rename .*\)\); every file was put back as it was\.\nNothing was written\./);
    sameTree(snapshot(dir), original, 'after the failed run');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during the renames: the change is completed first, then the run stops (exit ${signal === 'SIGTERM' ? 143 : 130})`, () => {
      const dir = copyFixture();
      const result = runBin(dir, ADD, { DAGSTER_LOCATION_FAULT: `${signal.toLowerCase()}@${steps - 4}` });
      assert.equal(result.status, signal === 'SIGTERM' ? 143 : 130, result.output);
      // Ctrl-C is the command line's to report (it says the files stay written); SIGTERM the commit's.
      assert.match(result.stderr, signal === 'SIGINT' ? /Cancelled after the files were written \(they stay as written\)/ : /SIGTERM received: the change was completed before stopping/);
      sameTree(snapshot(dir), full, `after ${signal}`);
    });
  }
});

describe('one run at a time', function () {
  this.timeout(300_000);

  it('a run while another holds the lock: says which pid, exit 1, nothing written', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    acquireLock(dir);
    try {
      const result = runBin(dir, ADD);
      assert.equal(result.status, 1);
      assert.match(result.stderr, new RegExp(`locked by pid ${process.pid} \\(.*\\)[^]*delete ${lockPath(dir).replace(/\./g, '\\.')}[^]*Nothing was written\\.`));
      sameTree(new Map([...snapshot(dir)].filter(([path]) => !inFlight(path))), before, 'nothing written');
    } finally {
      releaseLock(dir);
    }
    assert.ok(!existsSync(lockPath(dir)));
  });

  it('a lock left by a killed run is taken over with a note; the run leaves no lock behind', () => {
    const dir = copyFixture();
    writeFileSync(lockPath(dir), 'pid 999999999\ncommand dagster-location earlier_run\nstarted 2020-01-01T00:00:00.000Z\n');
    const result = runBin(dir, ADD);
    assert.equal(result.status, 0, result.output);
    assert.match(result.stderr, /Took over the lock .*\.dagster-location\.lock left by pid 999999999 \(dagster-location earlier_run\), which is no longer running\./);
    assert.ok(!existsSync(lockPath(dir)));
  });

  it('two runs started together adding two locations: each succeeds or is refused as locked; no update is lost', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = copyFixture();
      const [a, b] = await Promise.all([
        runBinAsync(dir, ADD),
        runBinAsync(dir, ['fraud_detection', 'fraud', '4003', '--force', '--skip-install']),
      ]);
      const succeeded: string[] = [];
      for (const [name, result] of [
        ['network_analytics', a],
        ['fraud_detection', b],
      ] as const) {
        if (result.status === 0) succeeded.push(name);
        else {
          assert.equal(result.status, 1, result.stderr);
          assert.match(result.stderr, /locked by pid \d+ /);
        }
      }
      assert.ok(succeeded.length > 0, 'at least one run succeeds');
      const doctor = runBin(dir, ['doctor', '--json']);
      assert.equal(doctor.status, 0, `every location fully registered:\n${doctor.output}`);
      const audit = JSON.parse(doctor.stdout) as { locations: Array<{ name: string; registered: Record<string, boolean> }> };
      for (const name of succeeded) {
        const location = audit.locations.find((l) => l.name === name);
        assert.ok(location && Object.values(location.registered).every(Boolean), `${name} is registered everywhere`);
      }
      assert.ok(!existsSync(lockPath(dir)));
    }
  });

  it('a file changed on disk while the run works is not overwritten: the run stops, naming it, nothing written', async () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const edited = `${read(dir, 'compose.yml')}# edited by someone else\n`;
    const resolved = join(PROJECT, 'generators', 'app', 'index.ts');
    const { default: App } = (await import(resolved)) as { default: never };
    const run = helpers
      .run(App, { namespace: 'dagster-location:app', resolved }, { force: true })
      .cd(dir)
      .withArguments(['network_analytics', 'analytics', '4002'])
      .withOptions({ interactive: false, skipInstall: true } as never)
      .onGenerator((generator: any) => {
        // After every phase has read and staged its edits, before the commit.
        generator.queueTask({ queueName: 'transform', taskName: 'someoneElseEdits', method: () => writeFileSync(join(dir, 'compose.yml'), edited) });
      });
    await assert.rejects(run, /compose\.yml changed on disk while this run was working .*: run again to work from the new version\.\nNothing was written\./);
    const after = snapshot(dir);
    assert.equal(after.get('compose.yml')!.toString(), edited);
    after.set('compose.yml', before.get('compose.yml')!);
    sameTree(after, before, 'nothing else written');
  });
});

describe('never outside the monorepo', function () {
  this.timeout(120_000);

  function outside(): string {
    return mkdtempSync(join(tmpdir(), 'outside-'));
  }

  async function refused(dir: string, message: RegExp, also: () => void = () => {}) {
    const before = linkSnapshot(dir);
    await assert.rejects(runGenerator('app', dir, ARGS), (error: Error) => {
      assert.match(error.message, message);
      assert.match(error.message, /Nothing was written\.$/);
      return true;
    });
    assert.deepEqual(linkSnapshot(dir), before, 'nothing written');
    also();
  }

  for (const file of ['compose.yml', 'pyproject.toml']) {
    it(`${file} linked to a file outside: refused, naming where it points; the outside file untouched`, async () => {
      const dir = copyFixture();
      const away = outside();
      renameSync(join(dir, file), join(away, file));
      symlinkSync(join(away, file), join(dir, file));
      const text = readFileSync(join(away, file));
      await refused(dir, new RegExp(`Refusing to edit ${file.replace('.', '\\.')}: it is a link to ${away}/${file.replace('.', '\\.')}, outside the monorepo`), () =>
        assert.ok(readFileSync(join(away, file)).equals(text)),
      );
    });
  }

  it('a dangling link where the new Dockerfile goes: refused, naming where it points', async () => {
    const dir = copyFixture();
    const away = outside();
    symlinkSync(join(away, 'Dockerfile'), join(dir, 'Dockerfile.network.analytics'));
    await refused(dir, new RegExp(`Refusing to create Dockerfile\\.network\\.analytics: it is a link to ${away}/Dockerfile, which does not exist`), () =>
      assert.ok(!existsSync(join(away, 'Dockerfile'))),
    );
  });

  it('a dangling link where the env template goes: refused', async () => {
    const dir = copyFixture();
    symlinkSync('../../elsewhere/analytics.env', join(dir, 'environments', 'network_analytics.env.template'));
    await refused(dir, /Refusing to create environments\/network_analytics\.env\.template: it is a link to .*elsewhere\/analytics\.env, which does not exist/);
  });

  it('environments/ linked to a folder outside: refused, nothing created there', async () => {
    const dir = copyFixture();
    const away = outside();
    rmSync(away, { recursive: true });
    renameSync(join(dir, 'environments'), away);
    symlinkSync(away, join(dir, 'environments'));
    await refused(dir, new RegExp(`Refusing to create environments/network_analytics\\.env\\.template: environments is a link to ${away}, outside the monorepo`), () =>
      assert.ok(!existsSync(join(away, 'network_analytics.env.template'))),
    );
  });

  it('links that stay inside the monorepo are fine: the target is edited, the link stays a link', async () => {
    const dir = copyFixture();
    mkdirSync(join(dir, 'deploy'));
    renameSync(join(dir, 'docker-stack.yml'), join(dir, 'deploy', 'docker-stack.yml'));
    symlinkSync('deploy/docker-stack.yml', join(dir, 'docker-stack.yml'));
    await runGenerator('app', dir, ARGS);
    assert.ok(lstatSync(join(dir, 'docker-stack.yml')).isSymbolicLink());
    assert.match(read(dir, 'deploy/docker-stack.yml'), /^ {2}network_analytics:\n {4}image: .*dagster-network-analytics:/m);
  });
});

describe('bytes kept', function () {
  this.timeout(120_000);
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const fixtures = [
    ['tidy example', EXAMPLE],
    ['messy monorepo', MESSY],
    ...(existsSync(REALWORLD) ? [['real-world monorepo', REALWORLD]] : []),
  ] as const;

  for (const [label, fixture] of fixtures) {
    it(`a UTF-8 BOM stays on every edited file, and the edit is the same as without it (${label})`, async () => {
      const plain = copyFixture(fixture);
      const plainBefore = snapshot(plain);
      await runGenerator('app', plain, ARGS);
      const edited = changes(plainBefore, snapshot(plain)).changed;
      assert.ok(edited.length >= 8, `the run edits the registries (${edited.join(', ')})`);

      const dir = copyFixture(fixture);
      for (const path of edited) writeFileSync(join(dir, path), Buffer.concat([BOM, readFileSync(join(dir, path))]));
      await runGenerator('app', dir, ARGS);
      for (const path of edited) {
        const bytes = readFileSync(join(dir, path));
        assert.ok(bytes.subarray(0, 3).equals(BOM), `${path} keeps its BOM`);
        assert.ok(bytes.subarray(3).equals(readFileSync(join(plain, path))), `${path}: the same edit as without a BOM`);
      }
    });
  }

  it('a file that is not UTF-8 (a Latin-1 é in a comment): refused with file:line, nothing written', async () => {
    const dir = copyFixture();
    const compose = readFileSync(join(dir, 'compose.yml'));
    const lines = compose.toString().split('\n');
    lines.splice(1, 0, '# caf\u00e9 (saved as Latin-1)');
    writeFileSync(join(dir, 'compose.yml'), Buffer.from(lines.join('\n'), 'latin1'));
    const before = snapshot(dir);
    await assert.rejects(runGenerator('app', dir, ARGS), /^UsageError: compose\.yml:2: not valid UTF-8 \(byte 0xE9\); .*convert the file/);
    sameTree(snapshot(dir), before, 'nothing written');
  });
});
