/**
 * All-or-nothing commit of the staged (in-memory) files, replacing the environment's default
 * commit, which reviews and writes files one by one: a refusal, a missing terminal or a failed
 * write after the first file would leave a half-changed repo.
 *
 * 1. Review: Yeoman's own conflicter runs over every pending file (diffs, the y/n/a/d/x menu,
 *    `--force`, `--dry-run`), but nothing is written yet.
 * 2. Without a terminal and without `--force`, a change to an existing file cannot be reviewed:
 *    stop before writing anything and say how to proceed.
 * 3. Write every approved file; if one write fails, put back every file already written.
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { Transform } from 'node:stream';
import { createConflicterTransform, createYoResolveTransform, forceYoFiles } from '@yeoman/conflicter';
import { createTwoFilesPatch } from 'diff';
import { clearFileState, isFileNew, isFilePending, isFileStateDeleted, isFileStateModified, setCommittedFile } from 'mem-fs-editor/state';

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
  const backups = approved.map((f) => ({ path: f.path, before: existsSync(f.path) ? readFileSync(f.path) : undefined }));
  const newDirs = [...new Set(approved.map((f) => topMissingDir(f.path)).filter((d): d is string => d !== undefined))];
  if (options.dryRun) {
    options.print?.(unifiedDiff(pending, options.root ?? ''));
    return;
  }

  try {
    writeApproved(approved);
  } catch (error) {
    restore(backups, newDirs);
    throw new NothingWrittenError(`Writing failed (${(error as Error).message}); every file was put back as it was.`);
  }
  options.onWritten?.(approved.map((f) => f.path));
}

/** The whole change as one unified diff (3 lines of context), what `--dry-run` shows. */
export function unifiedDiff(files: StagedFile[], root: string): string {
  const patches = files
    .filter((f) => f.contents !== null || existsSync(f.path))
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => {
      const name = relative(root, f.path);
      const before = existsSync(f.path) ? readFileSync(f.path, 'utf8') : '';
      // A deleted file (no contents) shows as every line removed, to /dev/null.
      const after = f.contents === null ? '' : f.contents.toString('utf8');
      if (before === after && f.contents !== null) return '';
      const header = existsSync(f.path) ? name : '/dev/null';
      return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 })
        .replace(/^=+\r?\n/, '')
        .replace(`--- a/${name}`, `--- ${header === '/dev/null' ? header : `a/${name}`}`)
        .replace(`+++ b/${name}`, `+++ ${f.contents === null ? '/dev/null' : `b/${name}`}`);
    });
  return patches.filter(Boolean).join('');
}

/**
 * Write (or delete) every approved file, as mem-fs-editor's commit does, but in one synchronous
 * pass: its stream takes the files one at a time with several awaited fs calls each, which for
 * a hundred Dockerfiles costs more than the writes.
 */
function writeApproved(files: StagedFile[]): void {
  for (const file of files as never[]) {
    const { path, contents, stat } = file as StagedFile;
    if (isFileStateModified(file)) {
      setCommittedFile(file);
      if (!contents) throw new Error(`${path} cannot write an empty file`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, contents, stat?.mode != null ? { mode: stat.mode } : undefined);
      if (stat?.mode != null && (statSync(path).mode & 0o777) !== (stat.mode & 0o777)) chmodSync(path, stat.mode);
    } else if (isFileStateDeleted(file) && !isFileNew(file)) {
      setCommittedFile(file);
      rmSync(path, { recursive: true });
      removeEmptyFolders(dirname(path));
    }
    clearFileState(file);
  }
}

/** A folder left empty by deletions goes too, and so do its parents that it leaves empty. */
function removeEmptyFolders(dir: string): void {
  for (let folder = dir; dirname(folder) !== folder; folder = dirname(folder)) {
    try {
      if (readdirSync(folder).length > 0) return;
      rmdirSync(folder);
    } catch {
      return;
    }
  }
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

/** The outermost folder of `path` that does not exist yet (a write will create it). */
function topMissingDir(path: string): string | undefined {
  let missing: string | undefined;
  for (let dir = dirname(path); !existsSync(dir); dir = dirname(dir)) missing = dir;
  return missing;
}

function restore(backups: Array<{ path: string; before: Buffer | undefined }>, newDirs: string[]): void {
  for (const { path, before } of backups) {
    try {
      if (before === undefined) rmSync(path, { force: true });
      else {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, before);
      }
    } catch {
      // Best effort: the error that got us here is reported.
    }
  }
  for (const dir of newDirs) rmSync(dir, { recursive: true, force: true });
}
