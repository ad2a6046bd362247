/**
 * What the doctor prints: the table of locations × registries (at most 100 columns) with every
 * finding and its fix, the JSON form (one object per finding), and the closing line of a
 * read-only audit. Pure functions of an Audit, shared by the doctor generator and the bin's
 * read-only doctor (lib/fast-commands.ts), which must print the same.
 */
import { REGISTRIES, type Audit, type Problem } from './audit.js';
import { paint, visibleWidth } from './color.js';

/** The table's width limit, in columns. */
export const TABLE_WIDTH = 100;

/** Column headings of the table (the registries, in the guide's phase order) and what each stands for. */
export const HEADINGS: Record<string, [heading: string, meaning: string]> = {
  package: ['pkg', 'src/<name>/ package'],
  pyproject: ['root', 'root pyproject.toml lists and tables'],
  bootstrap: ['boot', 'bootstrap Dockerfile COPY lines'],
  dockerfile: ['dfile', 'its Dockerfile'],
  stubs: ['stubs', "every Dockerfile's member stubs"],
  compose: ['svc', 'compose service, depends_on, embedded workspace'],
  stack: ['swarm', 'Swarm service'],
  workspace: ['grpc', 'workspace.yaml grpc_server'],
  bake: ['bake', 'bake target, variable, groups'],
  pipelines: ['ci', 'pipeline steps, references, custom pipeline, paths'],
  env: ['env', 'env template'],
  gitignore: ['ign', '.gitignore rule for real env files'],
  aliases: ['alias', 'short-name aliases'],
};

/** What a read-only audit prints on stdout: the table and findings, or the JSON. */
export function readOnlyOutput(audit: Audit, options: { json?: boolean; color: boolean }): string {
  return options.json ? `${JSON.stringify(auditJson(audit), null, 2)}\n` : `${formatAudit(audit, options.color)}\n`;
}

/**
 * The closing line of a read-only audit (stderr, with exit code 1), or undefined when nothing
 * is wrong.
 */
export function readOnlyVerdict(audit: Audit): string | undefined {
  if (audit.problems.length === 0) return undefined;
  const fixable = audit.problems.filter((p) => p.fixable).length;
  const hint = fixable > 0 ? ` ${fixable} can be fixed with: dagster-location doctor --fix` : ' Each needs a person; see the fixes above.';
  return `${audit.problems.length} problem(s) found.${hint}`;
}

/** One object per finding, every key always there (null when not known). */
export function auditJson(audit: Audit) {
  return {
    findings: audit.problems.map((p) => ({
      file: p.file,
      line: p.line ?? null,
      location: p.location ?? null,
      registry: p.registry ?? null,
      fixable: p.fixable ?? false,
      problem: p.problem,
      fix: p.fix,
    })),
    locations: audit.locations,
  };
}

export function formatAudit(audit: Audit, color: boolean): string {
  const c = paint(color);
  const headings = REGISTRIES.map((r) => (HEADINGS[r] ?? [r])[0]);
  const cellsWidth = headings.reduce((sum, h) => sum + h.length, 0) + headings.length - 1;
  const portWidth = Math.max(4, ...audit.locations.map((l) => String(l.port ?? '?').length));
  // A name longer than the room left goes on a line of its own, above its row.
  const room = TABLE_WIDTH - cellsWidth - portWidth - 4;
  const nameWidth = Math.min(room, Math.max(8, ...audit.locations.map((l) => l.name.length)));
  const header = `${'location'.padEnd(nameWidth)}  ${'port'.padEnd(portWidth)}  ${headings.join(' ')}`;
  const rows = audit.locations.flatMap((location) => {
    const cells = REGISTRIES.map((registry, i) => {
      const value = location.registered[registry];
      const mark = value === null ? c.dim('-') : value ? c.green('✓') : c.red('✗');
      return mark + ' '.repeat(headings[i].length - 1);
    });
    const row = `${String(location.port ?? '?').padEnd(portWidth)}  ${cells.join(' ')}`.trimEnd();
    return location.name.length > nameWidth ? [location.name, `${''.padEnd(nameWidth)}  ${row}`] : [`${location.name.padEnd(nameWidth)}  ${row}`];
  });
  const legend = pack(
    [`${c.green('✓')} registered`, `${c.red('✗')} missing`, `${c.dim('-')} file not in this repo`, ...REGISTRIES.filter((r) => HEADINGS[r]).map((r) => c.dim(`${HEADINGS[r][0]}: ${HEADINGS[r][1]}`))],
    TABLE_WIDTH,
  );
  const lines = [header, ...rows, '', ...legend];
  if (audit.problems.length === 0) lines.push('', c.green('No problems found.'));
  else {
    const fixable = audit.problems.filter((p) => p.fixable).length;
    lines.push('', c.bold(`${audit.problems.length} problem(s), ${fixable} fixable with dagster-location doctor --fix:`), ...audit.problems.map((p) => formatProblem(p, c)));
  }
  return lines.join('\n');
}

export function formatProblem(problem: Problem, c = paint(false)): string {
  const where = `${problem.file}${problem.line ? `:${problem.line}` : ''}`;
  return `  ${c.bold(where)}: ${problem.problem}\n    fix${problem.fixable ? '' : ' (by hand)'}: ${problem.fix}`;
}

/** Items on lines of at most `width` columns, two spaces apart. */
function pack(items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && visibleWidth(line) + 2 + visibleWidth(item) > width) {
      lines.push(line);
      line = item;
    } else line = line ? `${line}  ${item}` : item;
  }
  if (line) lines.push(line);
  return lines;
}
