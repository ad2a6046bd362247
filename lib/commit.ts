/**
 * All-or-nothing commit of the staged (in-memory) files, replacing the environment's default
 * commit, which reviews and writes files one by one: a refusal, a missing terminal or a failed
 * write after the first file would leave a half-changed repo.
 *
 * 1. Review: Yeoman's own conflicter runs over every pending file, in the order the phases staged
 *    them (the y/n/a/d/x menu, `d` showing hunks with context, `--force`, `--bail`, the
 *    `.yo-resolve` rules), but nothing is written yet. `--dry-run` prints the change as a patch
 *    instead (what `git apply` turns into the real run's result) and reviews nothing.
 * 2. Without a terminal and without `--force`, a change to an existing file cannot be reviewed:
 *    stop before writing anything and say how to proceed.
 * 3. Write every approved file; if one write fails, put back every file already written.
 *
 * The result says what happened to each staged file: created, changed, skipped (by you in the
 * review, or by a `.yo-resolve` rule) or left unchanged (it already had those contents).
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { Transform } from 'node:stream';
import { createConflicterTransform, createYoResolveTransform, forceYoFiles, YoResolve } from '@yeoman/conflicter';
import { structuredPatch } from 'diff';
import { clearFileState, isFileNew, isFilePending, isFileStateDeleted, isFileStateModified, setCommittedFile } from 'mem-fs-editor/state';
import { paint, useColor } from './color.js';

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
  /** Where a dry run prints its patch, with paths relative to `root`. */
  print?: (text: string) => void;
  /** Where the review announces the `.yo-resolve` rules that decide files (stderr). */
  log?: (line: string) => void;
  root?: string;
  /** Absolute paths in the order the phases staged them: the review asks in this order. */
  order?: string[];
}

/** What happened to one staged file that was not written. */
export interface SkippedFile {
  path: string;
  /** In plain words: "you answered no", ".yo-resolve:3 (docker-stack.yml skip)". */
  reason: string;
}

/** What the commit did, file by file (absolute paths). */
export interface CommitResult {
  created: string[];
  changed: string[];
  deleted: string[];
  skipped: SkippedFile[];
  unchanged: string[];
  /** Nothing was written: the lists say what a real run would do. */
  dryRun: boolean;
}

export class NothingWrittenError extends Error {
  constructor(message: string) {
    super(`${message}\nNothing was written.`);
    this.name = 'NothingWrittenError';
  }
}

/** Ctrl-C, in a prompt or anywhere else. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('Cancelled.');
  }
}

/** Whether an error is the user stopping the run (Ctrl-C in a prompt, or our own cancel). */
export function isCancellation(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'CancelledError' || name === 'ExitPromptError' || name === 'AbortPromptError';
}

let filesWritten = false;

/** What Ctrl-C means at this point of the run. */
export function cancelMessage(): string {
  return filesWritten
    ? 'Cancelled after the files were written (they stay as written); what was left to do (uv lock, uv sync, verification) did not run.'
    : 'Cancelled. Nothing was written.';
}

export async function commitAllOrNothing(env: CommitEnvironment, options: CommitOptions): Promise<CommitResult> {
  const root = options.root ?? '';
  const pending = inOrder(env.sharedFs.all().filter((f) => isFilePending(f as never) && !isYoResolve(f)), options.order);
  const unchanged = pending.filter((f) => f.contents !== null && existsSync(f.path) && sameContents(f));
  const rules = await yoResolveDecisions(pending.filter((f) => !unchanged.includes(f)), root);
  announceRules(rules, options.log);
  const skippedByRule = pending.filter((f) => rules.get(f.path)?.skips);
  const toWrite = pending.filter((f) => !unchanged.includes(f) && !skippedByRule.includes(f));
  const changedExisting = toWrite.filter((f) => existsSync(f.path));
  const conflicterOptions = { ...env.conflicterOptions, force: options.force, dryRun: options.dryRun, customizeActions: reviewActions };
  const existedBefore = new Set(pending.filter((f) => existsSync(f.path)).map((f) => f.path));
  const outcome = (written: Array<{ path: string; deleted: boolean }>, skippedByYou: StagedFile[]): CommitResult => ({
    created: written.filter((f) => !f.deleted && !existedBefore.has(f.path)).map((f) => f.path),
    changed: written.filter((f) => !f.deleted && existedBefore.has(f.path)).map((f) => f.path),
    deleted: written.filter((f) => f.deleted).map((f) => f.path),
    skipped: [
      ...skippedByRule.map((f) => ({ path: f.path, reason: rules.get(f.path)!.reason })),
      ...skippedByYou.map((f) => ({ path: f.path, reason: 'you answered no in the review' })),
    ],
    unchanged: unchanged.map((f) => f.path),
    dryRun: options.dryRun,
  });

  if (!options.interactive && !options.force && !options.dryRun && changedExisting.length > 0) {
    throw new NothingWrittenError(
      `${changedExisting.length} existing file(s) would change and there is no terminal to review them.\n` +
        'Run again with --dry-run to see the full diff, or with --force to apply the whole change.',
    );
  }

  if (options.dryRun) {
    options.print?.(gitPatch(toWrite, root));
    return outcome(
      toWrite.map((f) => ({ path: f.path, deleted: isFileStateDeleted(f as never) })),
      [],
    );
  }

  try {
    const [admit, release] = oneAtATime(options.order);
    await env.sharedFs.pipeline(
      { filter: (file) => isFilePending(file as never) || isYoResolve(file), refresh: true },
      // Without a .yo-resolve anywhere, looking one up for each file (folder by folder, up to /) finds nothing, slowly.
      ...(rules.size > 0 || anyYoResolve(pending) ? [createYoResolveTransform()] : []),
      forceYoFiles(),
      admit,
      createConflicterTransform(env.adapter as never, conflicterOptions as never),
      release,
    );
  } catch (error) {
    if (isCancellation(error)) throw new CancelledError();
    throw new NothingWrittenError(`Review stopped: ${(error as Error).message}`);
  }

  const approved = env.sharedFs.all().filter((f) => isFilePending(f as never));
  const written = approved.map((f) => ({ path: f.path, deleted: isFileStateDeleted(f as never) }));
  checkWritable(approved);
  const backups = approved.map((f) => ({ path: f.path, before: existsSync(f.path) ? readFileSync(f.path) : undefined }));
  const newDirs = [...new Set(approved.map((f) => topMissingDir(f.path)).filter((d): d is string => d !== undefined))];

  try {
    writeApproved(approved);
  } catch (error) {
    restore(backups, newDirs);
    throw new NothingWrittenError(`Writing failed (${(error as Error).message}); every file was put back as it was.`);
  }
  filesWritten ||= approved.length > 0;
  options.onWritten?.(approved.map((f) => f.path));
  const approvedPaths = new Set(approved.map((f) => f.path));
  return outcome(
    written,
    toWrite.filter((f) => !approvedPaths.has(f.path)),
  );
}

/** The staged files, those the phases staged first in their order, then the rest as the store has them. */
function inOrder(files: StagedFile[], order: string[] | undefined): StagedFile[] {
  if (!order) return files;
  const rank = new Map(order.map((path, index) => [path, index]));
  return files
    .map((file, index) => ({ file, index }))
    .sort((a, b) => (rank.get(a.file.path) ?? order.length + a.index) - (rank.get(b.file.path) ?? order.length + b.index))
    .map(({ file }) => file);
}

function isYoResolve(file: StagedFile): boolean {
  return file.path.endsWith(`${sep}.yo-resolve`) || file.path === '.yo-resolve';
}

// ---------------------------------------------------------------- the review menu

type Choice = { key?: string; name?: string; value?: unknown } | unknown;

/**
 * The conflicter's menu, honest: `d` shows the change as hunks with three lines of context and
 * asks again; the experimental answers are left out (`i` would write a .yo-resolve file into the
 * repo, `e`/`r` were never tested here).
 */
function reviewActions(actions: Choice[]): Choice[] {
  return actions
    .filter((a) => !['ignore', 'reload', 'edit'].includes(String((a as { value?: unknown }).value)))
    .map((a) =>
      (a as { value?: unknown }).value === 'diff'
        ? {
            key: 'd',
            name: 'show the changes (hunks with 3 lines of context)',
            value: async ({ file, adapter }: { file: StagedFile & { relativePath?: string }; adapter: { log: { write(text: string): unknown } } }) => {
              const name = file.relativePath ?? file.path;
              adapter.log.write(`\n${formatHunks(name, readFileSync(file.path, 'utf8'), file.contents?.toString('utf8') ?? '', useColor(process.stderr))}\n`);
              return 'ask';
            },
          }
        : a,
    );
}

/** A file's change as unified-diff hunks (3 lines of context), coloured when asked. */
export function formatHunks(name: string, before: string, after: string, color = false): string {
  const c = paint(color);
  const patch = structuredPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  const lines = [c.bold(`--- a/${name}`), c.bold(`+++ b/${name}`)];
  for (const hunk of patch.hunks) {
    lines.push(c.cyan(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`));
    for (const line of hunk.lines) lines.push(line.startsWith('+') ? c.green(line) : line.startsWith('-') ? c.red(line) : line);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- .yo-resolve

interface RuleDecision {
  /** The file is not written (skip, diff, ignore). */
  skips: boolean;
  status: string;
  reason: string;
  /** The .yo-resolve file and line of the rule, relative to the root. */
  where: string;
  rule: string;
}

const SKIPPING = new Set(['skip', 'diff', 'ignore']);
const announcedRules = new Set<string>();

/** The .yo-resolve rule that decides each file, if any (the conflicter's own matching). */
async function yoResolveDecisions(files: StagedFile[], root: string): Promise<Map<string, RuleDecision>> {
  const decisions = new Map<string, RuleDecision>();
  if (!anyYoResolve(files)) return decisions;
  const resolver = new YoResolve() as unknown as { getMapForFolder?: (folder: string) => Promise<Map<{ pattern: string; match(p: string): boolean }, string> | undefined> };
  for (const file of files) {
    for (let folder = dirname(file.path); ; folder = dirname(folder)) {
      const map = await resolver.getMapForFolder?.(folder);
      const hit = map && [...map].find(([pattern]) => pattern.match(file.path));
      if (hit) {
        const [pattern, status] = hit;
        const yoResolve = join(folder, '.yo-resolve');
        const written = pattern.pattern.startsWith('!') ? `!${pattern.pattern.slice(folder.length + 2)}` : pattern.pattern.slice(folder.length + 1);
        const lineNo = readFileSync(yoResolve, 'utf8').split(/\r?\n/).findIndex((line) => line.split('#')[0].trim().split(/[\s+=]/)[0] === written) + 1;
        const where = `${relative(root, yoResolve) || '.yo-resolve'}${lineNo > 0 ? `:${lineNo}` : ''}`;
        decisions.set(file.path, {
          skips: SKIPPING.has(status),
          status,
          where,
          rule: `${written} ${status}`,
          reason: `${where} (${written} ${status})`,
        });
        break;
      }
      if (dirname(folder) === folder) break;
    }
  }
  return decisions;
}

function announceRules(decisions: Map<string, RuleDecision>, log: ((line: string) => void) | undefined): void {
  const byRule = new Map<string, { decision: RuleDecision; files: string[] }>();
  for (const [path, decision] of decisions) {
    const key = `${decision.where} ${decision.rule}`;
    byRule.set(key, { decision, files: [...(byRule.get(key)?.files ?? []), path] });
  }
  for (const [key, { decision, files }] of byRule) {
    if (announcedRules.has(key)) continue;
    announcedRules.add(key);
    const effect = decision.skips ? 'not written' : decision.status === 'force' ? 'written without review' : `marked ${decision.status}`;
    log?.(`.yo-resolve rule ${decision.where} "${decision.rule}": ${files.length} file(s) ${effect}`);
  }
}

/** Lines of the .yo-resolve files at `folders` (for the announcement at the start of a run). */
export function yoResolveRules(folders: string[], root: string): string[] {
  const lines: string[] = [];
  for (const folder of [...new Set(folders)]) {
    const file = join(folder, '.yo-resolve');
    if (!existsSync(file)) continue;
    readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .forEach((line, index) => {
        const rule = line.split('#')[0].trim();
        if (rule) lines.push(`${relative(root, file) || '.yo-resolve'}:${index + 1}: ${rule}`);
      });
  }
  return lines;
}

/** Mark the announced rules of a run's start, so the review does not repeat them. */
export function noteAnnounced(ruleLines: string[]): void {
  for (const line of ruleLines) {
    const m = /^(.*?:\d+): (\S+)(?:[\s+=]+(\S+))?/.exec(line);
    if (m) announcedRules.add(`${m[1]} ${m[2]} ${m[3] ?? 'skip'}`);
  }
}

// ---------------------------------------------------------------- --dry-run

/**
 * The whole change as a git patch (3 lines of context): `git apply` in the monorepo turns it into
 * what the real run writes, new empty files (`__init__.py`) and modes included.
 */
export function gitPatch(files: StagedFile[], root: string): string {
  return [...files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => filePatch(f, root))
    .join('');
}

function filePatch(file: StagedFile, root: string): string {
  const name = relative(root, file.path).split(sep).join('/');
  const exists = existsSync(file.path);
  const deleted = isFileStateDeleted(file as never) || file.contents === null;
  if (deleted && !exists) return '';
  const before = exists ? readFileSync(file.path, 'utf8') : '';
  const after = deleted ? '' : file.contents!.toString('utf8');
  const diskMode = exists ? gitMode(statSync(file.path).mode) : undefined;
  const mode = file.stat?.mode != null ? gitMode(file.stat.mode) : (diskMode ?? '100644');
  const header = [`diff --git a/${name} b/${name}`];
  if (!exists) header.push(`new file mode ${mode}`);
  else if (deleted) header.push(`deleted file mode ${diskMode}`);
  else if (diskMode !== mode) header.push(`old mode ${diskMode}`, `new mode ${mode}`);
  if (before === after) return exists && !deleted && diskMode === mode ? '' : `${header.join('\n')}\n`;
  const patch = structuredPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  const lines = [...header, exists ? `--- a/${name}` : '--- /dev/null', deleted ? '+++ /dev/null' : `+++ b/${name}`];
  for (const hunk of patch.hunks) {
    // An empty side (a new or a deleted file) starts at 0, as git writes it.
    const oldStart = hunk.oldLines === 0 ? 0 : hunk.oldStart;
    const newStart = hunk.newLines === 0 ? 0 : hunk.newStart;
    lines.push(`@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@`, ...hunk.lines);
  }
  return `${lines.join('\n')}\n`;
}

function gitMode(mode: number): string {
  return mode & 0o111 ? '100755' : '100644';
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
    }
    clearFileState(file);
  }
}

/**
 * A gate around the conflicter, which reviews the files it is given concurrently: its prompts
 * would come in the order its disk reads finish. `admit` holds every file until the store has
 * sent them all, then lets them in one at a time, each once the one before it has come out of
 * `release`, in `order` (the order in which the phases staged them: the root pyproject.toml
 * first); files not in `order` follow in the store's order. So do the status lines. A
 * .yo-resolve file is not gated: the conflicter keeps it.
 */
function oneAtATime(order: string[] = []): [Transform, Transform] {
  const held: StagedFile[] = [];
  let released: (() => void) | undefined;
  const admit = new Transform({
    objectMode: true,
    transform(file: StagedFile, _encoding, done) {
      if (isYoResolve(file)) return done(null, file);
      held.push(file);
      done();
    },
    flush(done) {
      const next = async () => {
        for (const file of inOrder(held, order)) {
          const out = new Promise<void>((resolve) => (released = resolve));
          this.push(file);
          await out;
        }
      };
      next().then(() => done(), done);
    },
  });
  const release = new Transform({
    objectMode: true,
    transform(file: StagedFile, _encoding, done) {
      if (!isYoResolve(file)) released?.();
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
