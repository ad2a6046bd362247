/**
 * `--verify`: run the guide's verification commands that work on a developer's machine, each as
 * an argument array (no shell), and say for each whether it passed, failed or was skipped and why.
 */
import { spawnSync } from 'node:child_process';
import { localVerification, type CheckResult, type CommandRunner } from '../../lib/report.js';
import type { LocationNames } from '../../lib/naming.js';

export const spawnRunner: CommandRunner = (program, args, options) => {
  const result = spawnSync(program, args, { cwd: options.cwd, stdio: 'inherit', shell: false });
  return { status: result.status, signal: result.signal, error: result.error as (Error & { code?: string }) | undefined };
};

export interface VerifyInput {
  names: LocationNames;
  clickhouse: boolean;
  cwd: string;
  run: CommandRunner;
  env: Record<string, string | undefined>;
  /** Set when nothing was written (a dry run): every check is skipped with this reason. */
  skipAll?: string;
  log?: (line: string) => void;
}

export function runVerification(input: VerifyInput): CheckResult[] {
  const results: CheckResult[] = [];
  const missing = new Set<string>();
  for (const check of localVerification(input.names, input.clickhouse)) {
    const [program, ...args] = check.argv;
    if (input.skipAll) {
      results.push({ command: check.command, status: 'skipped', reason: input.skipAll });
      continue;
    }
    if (check.needsEnv && !input.env[check.needsEnv]) {
      results.push({ command: check.command, status: 'skipped', reason: `${check.needsEnv} is not set, so there is no ClickHouse to bootstrap` });
      continue;
    }
    if (missing.has(program)) {
      results.push({ command: check.command, status: 'skipped', reason: `${program} is not installed` });
      continue;
    }
    input.log?.(`Running ${check.argv.join(' ')}`);
    const outcome = input.run(program, args, { cwd: input.cwd });
    if (outcome.error && (outcome.error.code === 'ENOENT' || /ENOENT/.test(outcome.error.message))) {
      missing.add(program);
      results.push({ command: check.command, status: 'skipped', reason: `${program} is not installed` });
    } else if (outcome.error) {
      results.push({ command: check.command, status: 'failed', reason: outcome.error.message });
    } else if (outcome.status === 0) {
      results.push({ command: check.command, status: 'passed' });
    } else {
      results.push({
        command: check.command,
        status: 'failed',
        reason: outcome.status === null ? `stopped by ${outcome.signal ?? 'a signal'}` : `exit ${outcome.status}`,
      });
    }
  }
  return results;
}
