/**
 * All-or-nothing commit of the staged (in-memory) files, replacing the environment's default
 * commit, which reviews and writes files one by one: a refusal, a missing terminal or a failed
 * write after the first file would leave a half-changed repo.
 *
 * 1. Review: Yeoman's own conflicter runs over every pending file (diffs, the y/n/a/d/x menu,
 *    `--force`, `--dry-run`), but nothing is written yet.
 * 2. Without a terminal and without `--force`, a change to an existing file cannot be reviewed:
 *    stop before writing anything and say how to proceed.
 * 3. Write every approved file as one durable change (lib/journal.ts): all of them or none, even
 *    if the process is killed half-way.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { Transform } from 'node:stream';
import { createConflicterTransform, createYoResolveTransform, forceYoFiles } from '@yeoman/conflicter';
import { createTwoFilesPatch } from 'diff';
import { clearFileState, isFileNew, isFilePending, isFileStateDeleted, isFileStateModified, setCommittedFile } from 'mem-fs-editor/state';
import { WriteRefused, writeDurably, type PlannedWrite } from './journal.js';

interface StagedFile {
  path: string;
  contents: Buffer | null;
  state?: string;
  stat?: { mode?: number } | null;
}

interface CommitEnvironment {
  adapter: unknown;
  conflicterOptions?: { force?: boolean; dryRun?: boolean; bail?: boolean; [key: string]: unknown };
  sharedFs: {
    all(): StagedFile[];
    pipeline(options: { filter?: (file: StagedFile) => boolean; refresh?: boolean }, ...transforms: unknown[]): Promise<void>;
  };
}

export interface CommitOptions {
  force: boolean;
  dryRun: boolean;
  /** False when nobody can answer a conflict prompt (no TTY on stdin or stdout). */
  interactive: boolean;
  /** Called with the paths actually written (for the summary). */
  onWritten?: (paths: string[]) => void;
  /** Where a dry run prints its unified diff, with paths relative to `root`. */
  print?: (text: string) => void;
  root?: string;
  /** The bytes the run read at its start, per path (null: absent): a target that differs now is not written. */
  expected?: (path: string) => Buffer | null | undefined;
}

export class NothingWrittenError extends Error {
  constructor(message: string) {
    super(`${message}\nNothing was written.`);
    this.name = 'NothingWrittenError';
  }
}

export async function commitAllOrNothing(env: CommitEnvironment, options: CommitOptions): Promise<void> {
  const pending = env.sharedFs.all().filter((f) => isFilePending(f as never));
  const changedExisting = pending.filter((f) => existsSync(f.path) && !sameContents(f));
  const conflicterOptions = { ...env.conflicterOptions, force: options.force, dryRun: options.dryRun };

  if (!options.interactive && !options.force && !options.dryRun && changedExisting.length > 0) {
    throw new NothingWrittenError(
      `${changedExisting.length} existing file(s) would change and there is no terminal to review them.\n` +
        'Run again with --dry-run to see the full diff, or with --force to apply the whole change.',
    );
  }

  if (options.dryRun) {
    options.print?.(unifiedDiff(pending, options.root ?? ''));
    return;
  }

  try {
    const [admit, release] = oneAtATime();
    await env.sharedFs.pipeline(
      { filter: (file) => isFilePending(file as never) || file.path.endsWith('.yo-resolve'), refresh: true },
      // Without a .yo-resolve anywhere, looking one up for each file (folder by folder, up to /) finds nothing, slowly.
      ...(anyYoResolve(pending) ? [createYoResolveTransform()] : []),
      forceYoFiles(),
      admit,
      createConflicterTransform(env.adapter as never, conflicterOptions as never),
      release,
    );
  } catch (error) {
    throw new NothingWrittenError(`Review stopped: ${(error as Error).message}`);
  }

  const approved = env.sharedFs.all().filter((f) => isFilePending(f as never));
  checkWritable(approved);
  writeApproved(approved, options);
  options.onWritten?.(approved.map((f) => f.path));
}

/** The whole change as one unified diff (3 lines of context), what `--dry-run` shows. */
export function unifiedDiff(files: StagedFile[], root: string): string {
  const patches = files
    .filter((f) => f.contents !== null)
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => {
      const name = relative(root, f.path);
      const before = existsSync(f.path) ? readFileSync(f.path, 'utf8') : '';
      const after = f.contents!.toString('utf8');
      if (before === after) return '';
      const header = existsSync(f.path) ? name : '/dev/null';
      return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 })
        .replace(/^=+\r?\n/, '')
        .replace(`--- a/${name}`, `--- ${header === '/dev/null' ? header : `a/${name}`}`);
    });
  return patches.filter(Boolean).join('');
}

/**
 * Write (or delete) every approved file, as mem-fs-editor's commit does, but as one durable
 * change in one synchronous pass (lib/journal.ts): either every file is written or, after a
 * failure or a kill, none is.
 */
function writeApproved(files: StagedFile[], options: CommitOptions): void {
  const plan: PlannedWrite[] = [];
  for (const file of files as never[]) {
    const { path, contents, stat } = file as StagedFile;
    if (isFileStateModified(file)) {
      if (!contents) throw new NothingWrittenError(`${path} cannot write an empty file`);
      plan.push({ path, contents, mode: stat?.mode ?? undefined });
    } else if (isFileStateDeleted(file) && !isFileNew(file)) {
      plan.push({ path, contents: null });
    }
  }
  try {
    writeDurably(plan, { root: options.root || commonFolder(plan.map((p) => p.path)), expected: options.expected });
  } catch (error) {
    if (error instanceof WriteRefused) throw new NothingWrittenError((error as Error).message);
    throw new NothingWrittenError(`Writing failed (${(error as Error).message}); every file was put back as it was.`);
  }
  for (const file of files as never[]) {
    if (isFileStateModified(file) || isFileStateDeleted(file)) setCommittedFile(file);
    clearFileState(file);
  }
}

/** The deepest folder holding every path (the root, when the caller gives none). */
function commonFolder(paths: string[]): string {
  if (paths.length === 0) return '/';
  let common = dirname(paths[0]);
  for (const path of paths) while (!(path + '/').startsWith(common.endsWith('/') ? common : `${common}/`)) common = dirname(common);
  while (!existsSync(common)) common = dirname(common);
  return common;
}

/**
 * A gate around the conflicter, which reviews the files it is given concurrently: its prompts
 * would come in the order its disk reads finish. `admit` lets a file in once the one before it
 * has come out of `release`, so the review follows the order in which the run staged the files
 * (the root pyproject.toml first), and so do the status lines. A .yo-resolve file is not gated:
 * the conflicter keeps it.
 */
function oneAtATime(): [Transform, Transform] {
  const waiting = new Map<string, () => void>();
  let previous: Promise<void> = Promise.resolve();
  const gated = (file: StagedFile) => !file.path.endsWith('.yo-resolve');
  const admit = new Transform({
    objectMode: true,
    transform(file: StagedFile, _encoding, done) {
      if (!gated(file)) return done(null, file);
      const out = new Promise<void>((resolve) => waiting.set(file.path, resolve));
      previous.then(() => done(null, file), done);
      previous = out;
    },
  });
  const release = new Transform({
    objectMode: true,
    transform(file: StagedFile, _encoding, done) {
      waiting.get(file.path)?.();
      waiting.delete(file.path);
      done(null, file);
    },
  });
  return [admit, release];
}

/** Whether a .yo-resolve file is staged or exists in a folder of a pending file or above it. */
function anyYoResolve(pending: StagedFile[]): boolean {
  if (pending.some((file) => file.path.endsWith('.yo-resolve'))) return true;
  const folders = new Set<string>();
  for (const file of pending) {
    for (let dir = dirname(file.path); !folders.has(dir); dir = dirname(dir)) {
      folders.add(dir);
      if (dirname(dir) === dir) break;
    }
  }
  return [...folders].some((dir) => existsSync(`${dir}/.yo-resolve`));
}

function sameContents(file: StagedFile): boolean {
  return file.contents !== null && readFileSync(file.path).equals(file.contents);
}

/** Fail before the first write if any target cannot be written. */
function checkWritable(files: StagedFile[]): void {
  for (const file of files) {
    let target = file.path;
    while (!existsSync(target)) target = dirname(target);
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new NothingWrittenError(`Cannot write ${file.path}: ${target} is not writable.`);
    }
  }
}
