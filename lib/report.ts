/**
 * What a run did and what is left for a person, collected by every sub-generator and printed
 * once at the end: files created and changed, warnings (parts skipped), the Bitbucket variables
 * to configure and the guide's verification commands with the names filled in.
 */
import { Chalk } from 'chalk';
import type { LocationNames } from './naming.js';

export interface Report {
  created: Set<string>;
  changed: Set<string>;
  warnings: string[];
  notes: string[];
  /** `uv lock` and `uv sync` ran and passed. */
  installed?: boolean;
}

export function newReport(): Report {
  return { created: new Set(), changed: new Set(), warnings: [], notes: [] };
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
  heading('Left for you: Bitbucket repository variables (after merging)');
  for (const v of bitbucketVariables(names)) lines.push(`  [ ] ${c.cyan(v.variable)} = ${v.value}  (${v.scope})`);
  for (const note of report.notes) lines.push(`  [ ] ${note}`);
  heading('Verify');
  const commands = verificationCommands(names, input.clickhouse);
  for (const command of report.installed ? commands.slice(2) : commands) lines.push(`  ${c.cyan(command)}`);
  return lines.join('\n') + '\n';
}
