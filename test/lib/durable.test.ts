/**
 * The durable write layer alone: the journal and its replay, the fault hook, the re-read check,
 * the link checks, UTF-8 and byte-order marks, and the lock. Kills are injected in child
 * processes (a small script through tsx, no Yeoman), at each step of the sequence.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, lockPath, readLock, releaseLock, LockHeldError } from '../../lib/lock.js';
import { journalDir, recoverJournal, WriteRefused, writeDurably, type PlannedWrite } from '../../lib/journal.js';
import { decode, invalidUtf8Offset, linkEscape, RepoFiles } from '../../lib/repo-files.js';
import { PROJECT } from '../helpers.js';

/** A small repo: two files that exist, one to create in a new folder. */
function repo(options: { git?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'durable-'));
  if (options.git) mkdirSync(join(root, '.git'));
  writeFileSync(join(root, 'pyproject.toml'), '[tool.uv.workspace]\nmembers = ["a"]\n');
  writeFileSync(join(root, 'compose.yml'), 'services:\n  a: {}\n');
  chmodSync(join(root, 'compose.yml'), 0o640);
  const plan: PlannedWrite[] = [
    { path: join(root, 'pyproject.toml'), contents: Buffer.from('[tool.uv.workspace]\nmembers = ["a", "b"]\n') },
    { path: join(root, 'compose.yml'), contents: Buffer.from('services:\n  a: {}\n  b: {}\n') },
    { path: join(root, 'src', 'b', 'pyproject.toml'), contents: Buffer.from('[project]\nname = "b"\n') },
  ];
  return { root, plan };
}

/** Every file under a folder (relative path → bytes). */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const rel = prefix + entry.name;
      if (entry.isDirectory()) walk(join(folder, entry.name), `${rel}/`);
      else files.set(rel, readFileSync(join(folder, entry.name), 'utf8'));
    }
  };
  walk(dir, '');
  return files;
}

/** Run writeDurably on `repo()`'s plan in a child process, with a fault. */
function writeInChild(root: string, fault: string) {
  const script = `
    import { writeDurably } from ${JSON.stringify(join(PROJECT, 'lib', 'journal.ts'))};
    const root = ${JSON.stringify(root)};
    const plan = [
      ['pyproject.toml', '[tool.uv.workspace]\\nmembers = ["a", "b"]\\n'],
      ['compose.yml', 'services:\\n  a: {}\\n  b: {}\\n'],
      ['src/b/pyproject.toml', '[project]\\nname = "b"\\n'],
    ].map(([p, c]) => ({ path: root + '/' + p, contents: Buffer.from(c) }));
    writeDurably(plan, { root });
  `;
  return spawnSync(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], {
    cwd: PROJECT,
    encoding: 'utf8',
    env: { ...process.env, DAGSTER_LOCATION_FAULT: fault },
  });
}

function withFault<T>(fault: string, action: () => T): T {
  process.env.DAGSTER_LOCATION_FAULT = fault;
  try {
    return action();
  } finally {
    delete process.env.DAGSTER_LOCATION_FAULT;
  }
}

describe('durable write', () => {
  it('writes every file, keeps each mode, and leaves no journal or temporary file', () => {
    const { root, plan } = repo();
    writeDurably(plan, { root });
    assert.equal(readFileSync(join(root, 'compose.yml'), 'utf8'), 'services:\n  a: {}\n  b: {}\n');
    assert.equal(readFileSync(join(root, 'src', 'b', 'pyproject.toml'), 'utf8'), '[project]\nname = "b"\n');
    assert.equal(statSync(join(root, 'compose.yml')).mode & 0o777, 0o640);
    assert.deepEqual([...tree(root).keys()].sort(), ['compose.yml', 'pyproject.toml', 'src/b/pyproject.toml']);
    assert.ok(!existsSync(journalDir(root)));
  });

  it('keeps the journal in .git/ when the root is a git work tree', () => {
    const { root } = repo({ git: true });
    assert.equal(journalDir(root), join(root, '.git', 'dagster-location-journal'));
    assert.equal(lockPath(root), join(root, '.git', 'dagster-location.lock'));
    const { root: plain } = repo();
    assert.equal(lockPath(plain), join(plain, '.dagster-location.lock'));
    assert.ok(journalDir(plain).startsWith(tmpdir()));
  });

  it('an error at any step puts every file back and removes the new folders (in process)', () => {
    for (let step = 1; ; step++) {
      const { root, plan } = repo();
      const before = tree(root);
      let failed = false;
      try {
        withFault(`throw@${step}`, () => writeDurably(plan, { root }));
      } catch (error) {
        assert.match((error as Error).message, new RegExp(`fault injected at step ${step} `));
        failed = true;
      }
      if (!failed) {
        assert.ok(step > 3, 'the fault fired at no step');
        assert.equal(tree(root).get('compose.yml'), 'services:\n  a: {}\n  b: {}\n');
        break;
      }
      assert.deepEqual(tree(root), before, `after a failure at step ${step}`);
      assert.ok(!existsSync(join(root, 'src')), `the new folder is removed after a failure at step ${step}`);
      assert.ok(!existsSync(join(journalDir(root), 'journal.json')));
    }
  });

  it('a kill at any step leaves a tree the journal puts back as it was; no file is ever truncated', () => {
    const originals = tree(repo().root);
    const done = new Map([...originals, ['src/b/pyproject.toml', '[project]\nname = "b"\n']]);
    done.set('pyproject.toml', '[tool.uv.workspace]\nmembers = ["a", "b"]\n').set('compose.yml', 'services:\n  a: {}\n  b: {}\n');
    let steps = 0;
    for (let step = 1; step < 20; step++) {
      const { root } = repo();
      const child = writeInChild(root, `kill@${step}`);
      if (child.status === 0) break;
      assert.equal(child.signal, 'SIGKILL', child.stderr);
      steps = step;
      for (const [path, text] of tree(root)) {
        if (path.includes('.dagster-location-tmp-')) continue; // beside its target, removed by the recovery
        assert.ok(text === originals.get(path) || text === done.get(path), `${path} after a kill at step ${step}: ${JSON.stringify(text)}`);
      }
      const recovery = recoverJournal(root);
      if (step > 1) assert.ok(recovery, `a journal is left by a kill at step ${step}`);
      assert.deepEqual(tree(root), originals, `after recovering from a kill at step ${step}`);
      assert.equal(recoverJournal(root), undefined, 'a second recovery finds nothing');
    }
    // The journal, three temporary files, three renames, removing the journal.
    assert.equal(steps, 8);
  });

  it('SIGTERM or SIGINT during the change: the change is completed, then the process exits as the signal asks', () => {
    for (const [signal, code] of [
      ['sigterm', 143],
      ['sigint', 130],
    ] as const) {
      const { root } = repo();
      const child = writeInChild(root, `${signal}@5`);
      assert.equal(child.status, code, child.stderr);
      assert.match(child.stderr, new RegExp(`${signal.toUpperCase()} received: the change was completed before stopping`));
      assert.equal(readFileSync(join(root, 'compose.yml'), 'utf8'), 'services:\n  a: {}\n  b: {}\n');
      assert.ok(existsSync(join(root, 'src', 'b', 'pyproject.toml')));
      assert.equal(recoverJournal(root), undefined);
    }
  });

  it('a target changed on disk since the run read it: refused, nothing written, the file named', () => {
    const { root, plan } = repo();
    const files = new RepoFiles(root);
    for (const { path } of plan) files.read(path);
    writeFileSync(join(root, 'compose.yml'), 'services:\n  a: {}\n  edited: {}\n');
    const before = tree(root);
    assert.throws(() => writeDurably(plan, { root, expected: (path) => files.expected(path) }), (error: Error) => {
      assert.ok(error instanceof WriteRefused);
      assert.match(error.message, /^compose\.yml changed on disk while this run was working/);
      return true;
    });
    assert.deepEqual(tree(root), before);
  });

  it('a file created on disk since the run found it absent: refused', () => {
    const { root, plan } = repo();
    const files = new RepoFiles(root);
    for (const { path } of plan) files.read(path);
    mkdirSync(join(root, 'src', 'b'), { recursive: true });
    writeFileSync(join(root, 'src', 'b', 'pyproject.toml'), 'mine\n');
    assert.throws(() => writeDurably(plan, { root, expected: (path) => files.expected(path) }), /src\/b\/pyproject\.toml changed on disk .*absent when read/);
    assert.equal(readFileSync(join(root, 'src', 'b', 'pyproject.toml'), 'utf8'), 'mine\n');
  });
});

describe('links', () => {
  it('refuses a link out of the monorepo, a dangling link and a linked folder outside; names where each points', () => {
    const { root } = repo();
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'compose.yml'), 'services: {}\n');
    symlinkSync(join(outside, 'compose.yml'), join(root, 'linked.yml'));
    symlinkSync('/nonexistent/Dockerfile', join(root, 'Dockerfile.dangling'));
    symlinkSync(outside, join(root, 'environments'));
    assert.match(linkEscape(root, join(root, 'linked.yml'), 'edit')!, new RegExp(`^Refusing to edit linked\\.yml: it is a link to ${outside}/compose\\.yml, outside the monorepo`));
    assert.match(linkEscape(root, join(root, 'Dockerfile.dangling'), 'create')!, /Refusing to create Dockerfile\.dangling: it is a link to \/nonexistent\/Dockerfile, which does not exist/);
    assert.match(linkEscape(root, join(root, 'environments', 'x.env.template'), 'create')!, new RegExp(`environments is a link to ${outside}, outside the monorepo`));
    const plan = [{ path: join(root, 'linked.yml'), contents: Buffer.from('changed\n') }];
    assert.throws(() => writeDurably(plan, { root }), WriteRefused);
    assert.equal(readFileSync(join(outside, 'compose.yml'), 'utf8'), 'services: {}\n');
  });

  it('a link inside the monorepo is written through: its target changes, the link stays', () => {
    const { root } = repo();
    mkdirSync(join(root, 'infra'));
    writeFileSync(join(root, 'infra', 'stack.yml'), 'old\n');
    symlinkSync('infra/stack.yml', join(root, 'docker-stack.yml'));
    assert.equal(linkEscape(root, join(root, 'docker-stack.yml')), undefined);
    writeDurably([{ path: join(root, 'docker-stack.yml'), contents: Buffer.from('new\n') }], { root });
    assert.ok(statSync(join(root, 'infra', 'stack.yml')).isFile());
    assert.equal(readFileSync(join(root, 'infra', 'stack.yml'), 'utf8'), 'new\n');
    assert.equal(readFileSync(join(root, 'docker-stack.yml'), 'utf8'), 'new\n');
  });
});

describe('UTF-8 and byte-order marks', () => {
  it('finds the first byte that is not UTF-8', () => {
    assert.equal(invalidUtf8Offset(Buffer.from('plain é 日本 😀\n')), undefined);
    assert.equal(invalidUtf8Offset(Buffer.from([0x61, 0xe9, 0x0a])), 1); // Latin-1 é
    assert.equal(invalidUtf8Offset(Buffer.from([0xc0, 0xaf])), 0); // overlong /
    assert.equal(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80])), 0); // a UTF-16 surrogate
    assert.equal(invalidUtf8Offset(Buffer.from([0x61, 0xe6, 0x97])), 1); // cut short
    assert.equal(invalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0); // past U+10FFFF
  });

  it('refuses a file that is not UTF-8 with file:line; strips and remembers a byte-order mark', () => {
    assert.throws(() => decode(Buffer.from('a: 1\n# caf\xe9\n', 'latin1'), 'compose.yml'), /^UsageError: compose\.yml:2: not valid UTF-8 \(byte 0xE9\)/);
    const read = decode(Buffer.from('\uFEFFa: 1\n'), 'compose.yml');
    assert.deepEqual([read.text, read.bom], ['a: 1\n', true]);
  });
});

describe('lock', () => {
  it('one holder at a time: a second process is told the pid; a dead holder is taken over with a note', () => {
    const { root } = repo();
    const path = acquireLock(root);
    try {
      assert.equal(readLock(path)?.pid, process.pid);
      assert.equal(acquireLock(root), path, 'the holder may take it again');
      const other = spawnSync(
        process.execPath,
        ['--import', 'tsx/esm', '--input-type=module', '-e', `import { acquireLock } from ${JSON.stringify(join(PROJECT, 'lib', 'lock.ts'))}; acquireLock(${JSON.stringify(root)});`],
        { cwd: PROJECT, encoding: 'utf8' },
      );
      assert.notEqual(other.status, 0);
      assert.match(other.stderr, new RegExp(`locked by pid ${process.pid} `));
    } finally {
      releaseLock(root);
    }
    assert.ok(!existsSync(path));

    // A run that was killed: its pid is not running any more.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path, `pid ${dead.stdout}\ncommand dagster-location x\nstarted 2020-01-01T00:00:00.000Z\n`);
    const notes: string[] = [];
    acquireLock(root, (note) => notes.push(note));
    try {
      assert.equal(readLock(path)?.pid, process.pid);
      assert.match(notes.join('\n'), new RegExp(`Took over the lock .* left by pid ${dead.stdout} \\(dagster-location x\\), which is no longer running`));
    } finally {
      releaseLock(root);
    }
  });

  it('the refusal names the holder and the lock file', () => {
    const error = new LockHeldError({ pid: 42, command: 'dagster-location a', started: 'noon' }, '/r/.git/dagster-location.lock');
    assert.match(error.message, /locked by pid 42 \(dagster-location a, since noon\).*delete \/r\/\.git\/dagster-location\.lock/s);
  });
});
