/**
 * What a run did and what is left for a person, collected by every sub-generator and printed
 * once at the end: what the commit did with each file (created, changed, skipped by you or by a
 * `.yo-resolve` rule, left unchanged), warnings (parts skipped), the Bitbucket variables to
 * configure and the guide's verification commands with the names filled in.
 */
import { paint, useColor } from './color.js';
import type { LocationNames } from './naming.js';
import type { LeftOut } from './registries/registry.js';

export { useColor };

export interface Report {
  /** Files the phases staged as new, and as edits of existing files (relative paths). */
  created: Set<string>;
  changed: Set<string>;
  /** Every staged file once, in the order the phases staged it (the review's order). */
  staged: Set<string>;
  /** What the commit did (relative paths); absent until it ran. */
  outcome?: Outcome;
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

/** What the commit did with the staged files. */
export interface Outcome {
  created: string[];
  changed: string[];
  deleted: string[];
  skipped: Array<{ path: string; reason: string }>;
  unchanged: string[];
  /** A dry run: the lists say what a real run would do; nothing was written. */
  dryRun: boolean;
}

/** A Set that also notes each path, once, in the report's staging order. */
class StagingSet extends Set<string> {
  constructor(private readonly order: Set<string>) {
    super();
  }

  override add(path: string): this {
    this.order?.add(path);
    return super.add(path);
  }
}

export function newReport(): Report {
  const staged = new Set<string>();
  return { created: new StagingSet(staged), changed: new StagingSet(staged), staged, warnings: [], notes: [], leftOut: [] };
}

/** Whether the commit wrote `path` (a real run, not a dry one). */
export function wasWritten(report: Report, path: string): boolean {
  const outcome = report.outcome;
  if (!outcome) return report.created.has(path) || report.changed.has(path);
  return !outcome.dryRun && (outcome.created.includes(path) || outcome.changed.includes(path));
}

export interface SummaryInput {
  report: Report;
  names: LocationNames;
  clickhouse: boolean;
  dryRun: boolean;
  /** Whether to colour: a terminal and no NO_COLOR. */
  color: boolean;
  /** The location existed before the run: its Bitbucket variables are configured already. */
  existing?: boolean;
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

export function bitbucketVariables(names: LocationNames): Array<{ variable: string; value: string; scope: string }> {
  return [
    { variable: names.serviceImageVariable, value: names.image, scope: 'Repository' },
    { variable: names.buildTagVariable, value: '(set by CI pipeline)', scope: 'Pipeline' },
  ];
}

export function formatSummary(input: SummaryInput): string {
  const c = paint(input.color);
  const { report, names } = input;
  const lines: string[] = [];
  const heading = (text: string) => lines.push('', c.bold(text));
  heading(`Code location ${names.snake} (${names.kebab}, short name ${names.short})`);
  const outcome: Outcome = report.outcome ?? {
    created: [...report.created],
    changed: [...report.changed].filter((f) => !report.created.has(f)),
    deleted: [],
    skipped: [],
    unchanged: [],
    dryRun: input.dryRun,
  };
  const dry = outcome.dryRun;
  const verbs = dry
    ? { create: 'would create', change: 'would change', delete: 'would delete', skip: 'would skip' }
    : { create: 'created', change: 'changed', delete: 'deleted', skip: 'skipped' };
  const width = Math.max(...Object.values(verbs).map((v) => v.length), 'unchanged'.length);
  const row = (verb: string, colour: (t: string) => string, file: string, why = '') => lines.push(`  ${colour(verb.padEnd(width))} ${file}${why ? c.dim(`  (${why})`) : ''}`);
  const sorted = (files: string[]) => [...files].sort();
  for (const file of sorted(outcome.created)) row(verbs.create, c.green, file);
  for (const file of sorted(outcome.changed)) row(verbs.change, c.yellow, file);
  for (const file of sorted(outcome.deleted)) row(verbs.delete, c.red, file);
  for (const { path, reason } of [...outcome.skipped].sort((a, b) => a.path.localeCompare(b.path))) row(verbs.skip, c.red, path, `${reason}; not registered there`);
  for (const file of sorted(outcome.unchanged)) row('unchanged', c.dim, file, 'already as staged');
  if (outcome.created.length + outcome.changed.length + outcome.deleted.length + outcome.skipped.length === 0) {
    lines.push('  Nothing to change: every registration is already in place.');
  }
  if (report.warnings.length > 0) {
    heading('Warnings');
    for (const warning of report.warnings) lines.push(`  ${c.yellow('!')} ${warning}`);
  }
  // What the run chose for the person (particulars left out or copied), apart from what is left for them to do.
  const particular = (item: LeftOut) => `  - ${item.file}${item.line ? `:${item.line}` : ''}: ${item.what} (${item.why})`;
  const leftOut = report.leftOut.filter((item) => !item.copied);
  const copied = report.leftOut.filter((item) => item.copied);
  if (leftOut.length > 0) {
    heading('Left out on purpose (add back by hand if the new location needs it)');
    for (const item of leftOut) lines.push(particular(item));
  }
  if (copied.length > 0) {
    heading("Copied though particular to the canonical (check that the new location needs it)");
    for (const item of copied) lines.push(particular(item));
  }
  if (input.existing) {
    if (report.notes.length > 0) heading('Left for you');
  } else {
    heading('Left for you: Bitbucket repository variables (after merging, if not set yet)');
    const variableWidth = Math.max(...bitbucketVariables(names).map((v) => v.variable.length));
    for (const v of bitbucketVariables(names)) lines.push(`  [ ] ${c.cyan(v.variable.padEnd(variableWidth))} = ${v.value}  (${v.scope})`);
  }
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
  heading(report.verification ? 'Verify by hand (from the monorepo root)' : dry ? 'Verify after the real run (from the monorepo root)' : 'Verify (from the monorepo root)');
  for (const command of commands.filter((cmd) => !ran.has(cmd))) lines.push(`  ${c.cyan(command)}`);
  if (dry) lines.push('', c.bold('Nothing was written.'));
  return lines.join('\n') + '\n';
}
