import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestAdapter } from '@yeoman/adapter/testing';
import { create as createMemFs } from 'mem-fs';
import { create as createEditor } from 'mem-fs-editor';
import { commitAllOrNothing, NothingWrittenError } from '../../lib/commit.js';

/** A folder with an existing file, and a store that stages a change to it plus new files. */
function staged() {
  const dir = mkdtempSync(join(tmpdir(), 'commit-'));
  writeFileSync(join(dir, 'pyproject.toml'), 'old\n');
  const sharedFs = createMemFs();
  const fs = createEditor(sharedFs as never);
  fs.write(join(dir, 'pyproject.toml'), 'new\n');
  fs.write(join(dir, 'src', 'pkg', '__init__.py'), '');
  fs.write(join(dir, 'src', 'pkg', 'late', 'file.txt'), 'x\n');
  return { dir, env: { adapter: new TestAdapter(), sharedFs: sharedFs as never, conflicterOptions: {} } };
}

describe('all-or-nothing commit', () => {
  it('writes every staged file with --force', async () => {
    const { dir, env } = staged();
    await commitAllOrNothing(env, { force: true, dryRun: false, interactive: false });
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), 'new\n');
    assert.ok(existsSync(join(dir, 'src', 'pkg', 'late', 'file.txt')));
  });

  it('without a terminal and without --force, writes nothing at all (not even the new files)', async () => {
    const { dir, env } = staged();
    await assert.rejects(commitAllOrNothing(env, { force: false, dryRun: false, interactive: false }), NothingWrittenError);
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), 'old\n');
    assert.ok(!existsSync(join(dir, 'src')));
  });

  it('a write that fails half-way puts back every file already written and removes new folders', async () => {
    const { dir, env } = staged();
    // Appears on disk after staging: writing src/pkg/late/file.txt now fails (its folder is a file).
    mkdirSync(join(dir, 'src', 'pkg'), { recursive: true });
    writeFileSync(join(dir, 'src', 'pkg', 'late'), 'a file where a folder must go\n');
    await assert.rejects(commitAllOrNothing(env, { force: true, dryRun: false, interactive: false }), /every file was put back/);
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), 'old\n');
    assert.ok(!existsSync(join(dir, 'src', 'pkg', '__init__.py')));
  });

  it('a .yo-resolve in the repo still decides: a file it marks `skip` is not written, the others are', async () => {
    const { dir, env } = staged();
    writeFileSync(join(dir, '.yo-resolve'), 'src/pkg/late/file.txt skip\n');
    await commitAllOrNothing(env, { force: true, dryRun: false, interactive: false });
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), 'new\n');
    assert.ok(existsSync(join(dir, 'src', 'pkg', '__init__.py')));
    assert.ok(!existsSync(join(dir, 'src', 'pkg', 'late', 'file.txt')));
  });

  it('an edited file keeps its mode (an executable entrypoint stays executable)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commit-'));
    const script = join(dir, 'entrypoint.sh');
    writeFileSync(script, '#!/bin/sh\necho old\n');
    chmodSync(script, 0o755);
    const sharedFs = createMemFs();
    const fs = createEditor(sharedFs as never);
    fs.write(script, `${fs.read(script)}echo new\n`);
    await commitAllOrNothing({ adapter: new TestAdapter(), sharedFs: sharedFs as never, conflicterOptions: {} }, { force: true, dryRun: false, interactive: false });
    assert.equal(readFileSync(script, 'utf8'), '#!/bin/sh\necho old\necho new\n');
    assert.equal(statSync(script).mode & 0o777, 0o755);
  });

  it('the review asks about the files in the order they were staged, whichever disk read finishes first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commit-'));
    const names = ['big.txt', 'a.txt', 'b.txt', 'c.txt'];
    // The first file is the slowest to read and compare.
    for (const name of names) writeFileSync(join(dir, name), name === 'big.txt' ? 'old\n'.repeat(200_000) : 'old\n');
    const sharedFs = createMemFs();
    const fs = createEditor(sharedFs as never);
    for (const name of names) fs.write(join(dir, name), `${fs.read(join(dir, name))}new\n`);
    const adapter = new TestAdapter({ mockedAnswers: { action: 'write' } });
    await commitAllOrNothing({ adapter, sharedFs: sharedFs as never, conflicterOptions: {} }, { force: false, dryRun: false, interactive: true });
    const asked = adapter.calls.map((call) => names.find((name) => call.question.message.includes(name)));
    assert.deepEqual(asked, names);
    assert.equal(readFileSync(join(dir, 'c.txt'), 'utf8'), 'old\nnew\n');
  });

  it('--dry-run prints a unified diff and writes nothing', async () => {
    const { dir, env } = staged();
    let printed = '';
    await commitAllOrNothing(env, { force: false, dryRun: true, interactive: false, root: dir, print: (t) => (printed += t) });
    assert.match(printed, /^--- a\/pyproject\.toml\n\+\+\+ b\/pyproject\.toml\n@@ -1,1 \+1,1 @@\n-old\n\+new\n/m);
    assert.match(printed, /^--- \/dev\/null\n\+\+\+ b\/src\/pkg\/late\/file\.txt$/m);
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), 'old\n');
  });
});
