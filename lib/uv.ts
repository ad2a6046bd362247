/**
 * Running uv after a change to the workspace (`uv lock`, `uv sync --group dev`), after a real run
 * only: skipped on `--skip-install` (the summary says what to run), a warning when uv is not
 * installed, and on a failure an error that names the commands to run once the cause is fixed.
 * The files are written before; uv never runs on a half-written repo.
 */
import { spawnSync } from 'node:child_process';
import { CancelledError } from './commit.js';
import type { Report } from './report.js';

export interface UvRun {
  cwd: string;
  /** uv's argument lists, in order: each runs only if the one before passed. */
  steps: string[][];
  skip: boolean;
  report: Report;
  log: (message: string) => void;
}

/** Runs the steps; true when they all ran and passed. */
export function runUv({ cwd, steps, skip, report, log }: UvRun): boolean {
  const commands = steps.map((args) => `uv ${args.join(' ')}`);
  if (skip) {
    report.notes.push(`Run ${commands.map((c) => `\`${c}\``).join(' and ')} (--skip-install: ${commands.length === 1 ? 'it' : 'they'} did not run).`);
    return false;
  }
  if (!hasUv()) {
    report.warnings.push(`uv is not installed: run ${commands.map((c) => `\`${c}\``).join(' and then ')} by hand.`);
    return false;
  }
  for (const args of steps) {
    log(`Running uv ${args.join(' ')}`);
    const result = spawnSync('uv', args, { cwd, stdio: 'inherit' });
    if (result.signal === 'SIGINT') throw new CancelledError();
    if (result.status !== 0) {
      throw new Error(`uv ${args.join(' ')} failed (exit ${result.status ?? result.signal}). The files are written; fix the cause, then run:\n${commands.map((c) => `  ${c}`).join('\n')}`);
    }
  }
  return true;
}

function hasUv(): boolean {
  const probe = spawnSync('uv', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}
