import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

  it('the review follows the order the phases give, not the order the files were first read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commit-'));
    const names = ['a.txt', 'b.txt', 'c.txt'];
    const sharedFs = createMemFs();
    const fs = createEditor(sharedFs as never);
    for (const name of names) writeFileSync(join(dir, name), 'old\n');
    for (const name of names) fs.read(join(dir, name));
    for (const name of [...names].reverse()) fs.write(join(dir, name), 'new\n');
    const adapter = new TestAdapter({ mockedAnswers: { action: 'write' } });
    const order = ['c.txt', 'a.txt', 'b.txt'].map((name) => join(dir, name));
    await commitAllOrNothing({ adapter, sharedFs: sharedFs as never, conflicterOptions: {} }, { force: false, dryRun: false, interactive: true, order });
    assert.deepEqual(
      adapter.calls.map((call) => names.find((name) => call.question.message.includes(name))),
      ['c.txt', 'a.txt', 'b.txt'],
    );
  });

  it('--dry-run prints a unified diff and writes nothing', async () => {
    const { dir, env } = staged();
    let printed = '';
    await commitAllOrNothing(env, { force: false, dryRun: true, interactive: false, root: dir, print: (t) => (printed += t) });
    assert.match(printed, /^--- a\/pyproject\.toml\n\+\+\+ b\/pyproject\.toml\n@@ -1,1 \+1,1 @@\n-old\n\+new\n/m);
    assert.match(printed, /^--- \/dev\/null\n\+\+\+ b\/src\/pkg\/late\/file\.txt$/m);
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), 'old\n');
  });

  it('says what happened to each file: created, changed, skipped by a .yo-resolve rule or by you, left unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commit-'));
    for (const name of ['keep.txt', 'same.txt', 'ruled.txt', 'edit.txt']) writeFileSync(join(dir, name), 'old\n');
    writeFileSync(join(dir, '.yo-resolve'), '# by hand\nruled.txt skip\n');
    const sharedFs = createMemFs();
    const fs = createEditor(sharedFs as never);
    fs.write(join(dir, 'edit.txt'), 'new\n');
    fs.write(join(dir, 'keep.txt'), 'new\n');
    fs.write(join(dir, 'ruled.txt'), 'new\n');
    fs.write(join(dir, 'same.txt'), 'old\n');
    fs.write(join(dir, 'new.txt'), '');
    // Yes to edit.txt, no to keep.txt.
    const answers = ['write', 'skip'];
    const adapter = new TestAdapter({ mockedAnswers: {}, callback: () => answers.shift() } as never);
    const logged: string[] = [];
    const result = await commitAllOrNothing(
      { adapter, sharedFs: sharedFs as never, conflicterOptions: {} },
      { force: false, dryRun: false, interactive: true, root: dir, log: (line) => logged.push(line) },
    );
    const names = (paths: string[]) => paths.map((p) => p.slice(dir.length + 1));
    assert.deepEqual(names(result.created), ['new.txt']);
    assert.deepEqual(names(result.changed), ['edit.txt']);
    assert.deepEqual(result.skipped.map((f) => [f.path.slice(dir.length + 1), f.reason]), [
      ['ruled.txt', '.yo-resolve:2 (ruled.txt skip)'],
      ['keep.txt', 'you answered no in the review'],
    ]);
    assert.deepEqual(names(result.unchanged), ['same.txt']);
    assert.deepEqual(logged, ['.yo-resolve rule .yo-resolve:2 "ruled.txt skip": 1 file(s) not written']);
    assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'old\n');
    assert.equal(readFileSync(join(dir, 'ruled.txt'), 'utf8'), 'old\n');
    assert.equal(readFileSync(join(dir, 'edit.txt'), 'utf8'), 'new\n');
    assert.equal(readFileSync(join(dir, 'new.txt'), 'utf8'), '');
    assert.equal(readFileSync(join(dir, '.yo-resolve'), 'utf8'), '# by hand\nruled.txt skip\n', 'the review writes no .yo-resolve');
  });

  it('the review offers no answer that writes .yo-resolve (nor the untested experimental ones); d shows hunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'commit-'));
    writeFileSync(join(dir, 'big.txt'), Array.from({ length: 40 }, (_, i) => `line ${i + 1}\n`).join(''));
    const sharedFs = createMemFs();
    const fs = createEditor(sharedFs as never);
    fs.write(join(dir, 'big.txt'), fs.read(join(dir, 'big.txt'))!.replace('line 20\n', 'line twenty\n'));
    let choices: Array<{ key?: string; value?: unknown }> = [];
    let printed = '';
    const answers: unknown[] = [];
    const adapter = new TestAdapter({
      mockedAnswers: {},
      callback: (_answer: unknown, { question }: { question: { choices: typeof choices } }) => {
        choices = question.choices;
        // First `d` (a function that prints the hunks and asks again), then `y`.
        return answers.length === 0 ? answers.push(1) && choices.find((c) => c.key === 'd')!.value : 'write';
      },
    } as never);
    const write = adapter.log.write.bind(adapter.log);
    adapter.log.write = ((text: string) => ((printed += text), write(text))) as never;
    await commitAllOrNothing({ adapter, sharedFs: sharedFs as never, conflicterOptions: {} }, { force: false, dryRun: false, interactive: true, root: dir });
    assert.deepEqual(choices.filter((c) => c.key).map((c) => c.key), ['y', 'n', 'a', 'd', 'x']);
    assert.match(printed, /^@@ -17,7 \+17,7 @@\n line 17\n line 18\n line 19\n-line 20\n\+line twenty\n line 21\n/m);
    assert.doesNotMatch(printed, /line 1\n|line 40/, 'only the hunk, not the whole file');
    assert.match(readFileSync(join(dir, 'big.txt'), 'utf8'), /line twenty/);
  });

  it('--dry-run: a git patch with new empty files, deletions and modes; .yo-resolve rules apply', async () => {
    const { dir, env } = staged();
    writeFileSync(join(dir, 'gone.txt'), 'bye\n');
    writeFileSync(join(dir, 'ruled.txt'), 'old\n');
    writeFileSync(join(dir, '.yo-resolve'), 'ruled.txt skip\n');
    const fs = createEditor(env.sharedFs as never);
    fs.delete(join(dir, 'gone.txt'));
    fs.write(join(dir, 'ruled.txt'), 'new\n');
    let printed = '';
    const result = await commitAllOrNothing(env, { force: false, dryRun: true, interactive: false, root: dir, print: (t) => (printed += t) });
    assert.match(printed, /^diff --git a\/src\/pkg\/__init__\.py b\/src\/pkg\/__init__\.py\nnew file mode 100644\ndiff --git /m);
    assert.match(printed, /^diff --git a\/gone\.txt b\/gone\.txt\ndeleted file mode 100644\n--- a\/gone\.txt\n\+\+\+ \/dev\/null\n@@ -1,1 \+0,0 @@\n-bye\n/m);
    assert.doesNotMatch(printed, /ruled\.txt/);
    assert.ok(result.dryRun);
    assert.deepEqual(result.skipped.map((f) => f.reason), ['.yo-resolve:1 (ruled.txt skip)']);
    const applied = spawnSync('git', ['apply', '-'], { cwd: dir, input: printed, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    assert.ok(existsSync(join(dir, 'src', 'pkg', '__init__.py')));
    assert.ok(!existsSync(join(dir, 'gone.txt')));
    assert.equal(readFileSync(join(dir, 'ruled.txt'), 'utf8'), 'old\n');
  });
});
