/**
 * What a run did and what is left for a person, collected by every sub-generator and printed
 * once at the end: files created and changed, warnings (parts skipped), the Bitbucket variables
 * to configure and the guide's verification commands with the names filled in.
 */
import { Chalk } from 'chalk';
import type { LocationNames } from './naming.js';
import type { LeftOut } from './registries/registry.js';

export interface Report {
  created: Set<string>;
  changed: Set<string>;
  warnings: string[];
  notes: string[];
  /** The canonical's particulars the run did not copy, on purpose. */
  leftOut: LeftOut[];
  /** `uv lock` and `uv sync` ran and passed. */
  installed?: boolean;
  /** What `--verify` ran, in order. */
  verification?: CheckResult[];
}

/** One verification command run by `--verify`: the guide's command line and how it went. */
export interface CheckResult {
  command: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  reason?: string;
}

/** Runs a program with an argument array (no shell) in `cwd`; what spawnSync returns, in short. */
export type CommandRunner = (
  program: string,
  args: string[],
  options: { cwd: string },
) => { status: number | null; signal?: NodeJS.Signals | null; error?: Error & { code?: string } };

export function newReport(): Report {
  return { created: new Set(), changed: new Set(), warnings: [], notes: [], leftOut: [] };
}

export interface SummaryInput {
  report: Report;
  names: LocationNames;
  clickhouse: boolean;
  dryRun: boolean;
  /** Whether to colour: a terminal and no NO_COLOR. */
  color: boolean;
}

export function verificationCommands(names: LocationNames, clickhouse: boolean): string[] {
  return [
    'uv lock',
    'uv sync --group dev',
    `uv tree --package ${names.kebab}`,
    'uv run check-defs',
    `uv run check-defs --only ${names.snake}`,
    `uv run dev-local --only ${names.snake}`,
    'uv run dev-local --all',
    'uv run pytest',
    ...(clickhouse ? [`bootstrap-clickhouse --locations ${names.snake}`] : []),
  ];
}

/**
 * The verification commands that can run on a developer's machine, with the argument array that
 * runs each (`uv run` puts the workspace's scripts on the path); bootstrap-clickhouse only when
 * the location has ClickHouse, and it needs a ClickHouse server (CLICKHOUSE_HOST).
 */
export function localVerification(names: LocationNames, clickhouse: boolean): Array<{ command: string; argv: string[]; needsEnv?: string }> {
  return [
    { command: `uv tree --package ${names.kebab}`, argv: ['uv', 'tree', '--package', names.kebab] },
    { command: `uv run check-defs --only ${names.snake}`, argv: ['uv', 'run', 'check-defs', '--only', names.snake] },
    { command: 'uv run pytest', argv: ['uv', 'run', 'pytest'] },
    ...(clickhouse
      ? [{ command: `bootstrap-clickhouse --locations ${names.snake}`, argv: ['uv', 'run', 'bootstrap-clickhouse', '--locations', names.snake], needsEnv: 'CLICKHOUSE_HOST' }]
      : []),
  ];
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string. */
export function useColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

export function bitbucketVariables(names: LocationNames): Array<{ variable: string; value: string; scope: string }> {
  return [
    { variable: names.serviceImageVariable, value: names.image, scope: 'Repository' },
    { variable: names.buildTagVariable, value: '(set by CI pipeline)', scope: 'Pipeline' },
  ];
}

export function formatSummary(input: SummaryInput): string {
  const c = new Chalk({ level: input.color ? 1 : 0 });
  const { report, names } = input;
  const lines: string[] = [];
  const heading = (text: string) => lines.push('', c.bold(text));
  const verb = input.dryRun ? 'would be' : '';
  heading(`Code location ${names.snake} (${names.kebab}, short name ${names.short})`);
  const created = [...report.created].sort();
  const changed = [...report.changed].filter((f) => !report.created.has(f)).sort();
  if (created.length + changed.length === 0) lines.push('  Nothing to change: every registration is already in place.');
  for (const file of created) lines.push(`  ${c.green('create')} ${file}${verb ? c.dim(` (${verb} created)`) : ''}`);
  for (const file of changed) lines.push(`  ${c.yellow('change')} ${file}${verb ? c.dim(` (${verb} changed)`) : ''}`);
  if (report.warnings.length > 0) {
    heading('Warnings');
    for (const warning of report.warnings) lines.push(`  ${c.yellow('!')} ${warning}`);
  }
  if (report.leftOut.length > 0) {
    heading('Left out on purpose (add back by hand if the new location needs it)');
    for (const item of report.leftOut) lines.push(`  - ${item.file}${item.line ? `:${item.line}` : ''}: ${item.what} (${item.why})`);
  }
  heading('Left for you: Bitbucket repository variables (after merging, if not set yet)');
  const width = Math.max(...bitbucketVariables(names).map((v) => v.variable.length));
  for (const v of bitbucketVariables(names)) lines.push(`  [ ] ${c.cyan(v.variable.padEnd(width))} = ${v.value}  (${v.scope})`);
  for (const note of report.notes) lines.push(`  [ ] ${note}`);
  const commands = verificationCommands(names, input.clickhouse).slice(report.installed ? 2 : 0);
  // Skipped checks are still to be run; passed and failed ones were reported above.
  const ran = new Set((report.verification ?? []).filter((r) => r.status !== 'skipped').map((r) => r.command));
  if (report.verification) {
    heading('Verification (--verify)');
    const mark = { passed: c.green('passed '), failed: c.red('failed '), skipped: c.yellow('skipped') };
    for (const result of report.verification) {
      lines.push(`  ${mark[result.status]} ${result.command}${result.reason ? c.dim(`  (${result.reason})`) : ''}`);
    }
  }
  heading(report.verification ? 'Verify by hand (from the monorepo root)' : 'Verify (from the monorepo root)');
  for (const command of commands.filter((cmd) => !ran.has(cmd))) lines.push(`  ${c.cyan(command)}`);
  return lines.join('\n') + '\n';
}
