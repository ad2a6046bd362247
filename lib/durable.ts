/**
 * A run's hold on the monorepo: the lock (one run at a time), the recovery of a change a killed
 * run left half-made, and the record of what the run read (for the check before writing).
 * The generators take it when they read the model and let it go after the commit; the
 * `dagster-location recover` command does only the recovery.
 */
import { acquireLock, LockHeldError, releaseLock } from './lock.js';
import { describeRecovery, recoverJournal } from './journal.js';
import { findMonorepoRoot } from './monorepo.js';
import { RepoFiles } from './repo-files.js';

interface RunEnvironment {
  once?(event: string, listener: () => void): unknown;
}

const runs = new WeakMap<object, RepoFiles>();

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Take the lock on `root` for this run (the Yeoman environment shared by the composed
 * generators), put back what a killed run left half-written, and return the run's record of
 * first reads. The lock is released when the environment ends or fails, and at exit.
 */
export function beginRun(env: object, root: string): RepoFiles {
  const known = runs.get(env);
  if (known && known.root === root) {
    // Reading again after this run's commit released the lock (the doctor audits the result):
    // nothing more will be written, so another run holding it by now is no reason to fail.
    try {
      acquireLock(root, say);
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
    }
    return known;
  }
  acquireLock(root, say);
  const run = env as RunEnvironment;
  const release = () => releaseLock(root);
  run.once?.('end', release);
  run.once?.('error', release);
  const recovery = recoverJournal(root);
  if (recovery) say(describeRecovery(recovery));
  const files = new RepoFiles(root);
  runs.set(env, files);
  return files;
}

/** The run's record of first reads, if it has begun. */
export function runFiles(env: object): RepoFiles | undefined {
  return runs.get(env);
}

export function endRun(root: string): void {
  releaseLock(root);
}

/** `dagster-location recover`: put back a half-made change, if any; exit code. */
export function recoverCommand(cwd: string = process.cwd(), args: string[] = []): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      'Usage: dagster-location recover\n\nPut back the files of a run that was killed while writing (every run does this first); nothing else.\n',
    );
    return 0;
  }
  if (args.length > 0) {
    say(`dagster-location recover takes no arguments (got ${args.join(' ')}).`);
    return 1;
  }
  const root = findMonorepoRoot(cwd);
  if (!root) {
    say(`No uv-workspace monorepo found at or above ${cwd}: run this inside the monorepo.`);
    return 1;
  }
  try {
    acquireLock(root, say);
  } catch (error) {
    say((error as Error).message.replace(/\nNothing was written\.$/, ''));
    return 1;
  }
  try {
    const recovery = recoverJournal(root);
    process.stdout.write(recovery ? `${describeRecovery(recovery)}\n` : 'Nothing to recover.\n');
    return 0;
  } catch (error) {
    say((error as Error).message);
    return 1;
  } finally {
    releaseLock(root);
  }
}
