/**
 * One run at a time per monorepo: a lock file at the root, held from reading the model until
 * after the commit. Two runs reading the same files and writing them back one after the other
 * would each lose the other's entries.
 *
 * The lock is `.git/dagster-location.lock` when the root is a git work tree (nothing to ignore,
 * nothing to commit by mistake), else `.dagster-location.lock` beside the root pyproject.toml.
 * It holds the pid and the command line of the run. It is created in one step (the full
 * contents are written to a private file that is then hard-linked to the lock's name, which
 * fails if the name exists), so a reader never sees a half-written lock. A lock whose pid is no
 * longer running was left by a killed run: it is taken over, with a note.
 */
import { linkSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export interface LockInfo {
  pid: number;
  command: string;
  started: string;
}

/** Another live process holds the lock. Printed without a stack trace, exit 1. */
export class LockHeldError extends Error {
  override name = 'UsageError';
  constructor(
    readonly holder: LockInfo,
    readonly lockPath: string,
  ) {
    super(
      `Another dagster-location run is working on this monorepo: locked by pid ${holder.pid} (${holder.command || 'command unknown'}, ` +
        `since ${holder.started || 'an unknown time'}).\nWait for it to finish and run again; if that process is not a dagster-location run, ` +
        `delete ${lockPath}.\nNothing was written.`,
    );
  }
}

/** The git folder of a work tree rooted at `root`: `.git`, or where a `.git` file points (worktrees, submodules). */
export function gitDir(root: string): string | undefined {
  const dotGit = join(root, '.git');
  const stat = statSync(dotGit, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return dotGit;
  if (stat?.isFile()) {
    const match = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
    if (match) {
      const dir = isAbsolute(match[1]) ? match[1] : resolve(root, match[1]);
      if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
    }
  }
  return undefined;
}

export function lockPath(root: string): string {
  const git = gitDir(root);
  return git ? join(git, 'dagster-location.lock') : join(root, '.dagster-location.lock');
}

/** Locks this process holds, by lock path. */
const held = new Map<string, LockInfo>();
let releaseOnExit = false;

/**
 * Take the monorepo's lock for this process (a no-op if it already holds it). Throws
 * LockHeldError when a live process holds it; takes over a lock left by a dead one, calling
 * `note` to say so.
 */
export function acquireLock(root: string, note: (message: string) => void = () => {}): string {
  const path = lockPath(root);
  if (held.has(path)) return path;
  const mine: LockInfo = { pid: process.pid, command: commandLine(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, mine)) {
      held.set(path, mine);
      removeDeadDrafts(path);
      if (!releaseOnExit) {
        releaseOnExit = true;
        process.once('exit', releaseAllLocks);
      }
      return path;
    }
    const holder = readLock(path);
    if (!holder) continue; // removed in between: try again
    if (holder.pid === process.pid) {
      // Left by this process (a run in the same process that stopped before releasing it).
      held.set(path, holder);
      return path;
    }
    if (isAlive(holder.pid)) throw new LockHeldError(holder, path);
    if (takeOver(path, holder)) note(`Took over the lock ${path} left by pid ${holder.pid} (${holder.command}), which is no longer running.`);
  }
  const holder = readLock(path) ?? { pid: 0, command: '', started: '' };
  throw new LockHeldError(holder, path);
}

/** Release the lock on `root` if this process holds it. */
export function releaseLock(root: string): void {
  releasePath(lockPath(root));
}

export function holdsLock(root: string): boolean {
  return held.has(lockPath(root));
}

function releasePath(path: string): void {
  if (!held.delete(path)) return;
  // Only our own lock: a lock taken over by another run after ours was removed by hand is theirs.
  if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
}

function releaseAllLocks(): void {
  for (const path of [...held.keys()]) releasePath(path);
}

export function readLock(path: string): LockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(/^pid (\d+)$/m.exec(text)?.[1] ?? 0);
  return { pid, command: /^command (.*)$/m.exec(text)?.[1] ?? '', started: /^started (.*)$/m.exec(text)?.[1] ?? '' };
}

function format(info: LockInfo): string {
  return `pid ${info.pid}\ncommand ${info.command}\nstarted ${info.started}\n`;
}

/** Create the lock with its full contents in one step; false if it exists. */
function tryCreate(path: string, info: LockInfo): boolean {
  const draft = `${path}.${process.pid}.draft`;
  writeFileSync(draft, format(info));
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Remove a dead process's lock. Two runs may find the same stale lock at once: a second lock,
 * `<lock>.takeover`, lets only one of them remove it (the other then finds the first one's new
 * lock, held by a live process). A takeover lock older than 10 s was left by a run killed in
 * the middle of this and is removed.
 */
function takeOver(path: string, stale: LockInfo): boolean {
  const guard = `${path}.takeover`;
  const guardAge = Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
  if (guardAge > 10_000) rmSync(guard, { force: true });
  if (!tryCreate(guard, { pid: process.pid, command: 'takeover', started: new Date().toISOString() })) return false;
  try {
    const now = readLock(path);
    if (!now || now.pid !== stale.pid || now.started !== stale.started) return false;
    unlinkSync(path);
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Drafts (`<lock>.<pid>.draft`) left by runs killed while creating the lock. */
function removeDeadDrafts(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dir)) {
    const pid = name.startsWith(prefix) && name.endsWith('.draft') ? Number(name.slice(prefix.length, -'.draft'.length)) : NaN;
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of this process, as a user would type it. */
export function commandLine(): string {
  const [, script, ...args] = process.argv;
  const name = script && /dagster-location/.test(script) ? 'dagster-location' : script ? script.replace(/^.*[\\/]/, '') : 'node';
  return [name, ...args].join(' ').replace(/\n/g, ' ');
}
