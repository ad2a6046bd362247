/**
 * `dagster-location doctor`: audit the monorepo against the guide. A table of locations ×
 * registries, then every problem with its file and fix; `--json` for machines; a non-zero exit
 * when anything is wrong. `--fix` applies, for each finding's location, the add of the registry
 * that found it (the same code the phases run), staged and reviewed like any run.
 */
import { Chalk } from 'chalk';
import { auditMonorepo, orphanLocations, REGISTRIES, type Audit } from '../../lib/audit.js';
import { LocationGenerator, type LocationOptions, type RunContext } from '../../lib/location-generator.js';
import { diskLister, nextFreePort, type Location, type Monorepo } from '../../lib/monorepo.js';
import { defaultShortName, locationNames } from '../../lib/naming.js';
import { PHASES } from '../../lib/registries/index.js';
import { newReport } from '../../lib/report.js';

/** Column headings of the table: the registries' ids, in the guide's phase order. */
const HEADINGS: Record<string, string> = {
  package: 'package',
  pyproject: 'pyproject',
  bootstrap: 'bootstrap',
  dockerfile: 'Dockerfile',
  stubs: 'stubs',
  compose: 'compose',
  stack: 'stack',
  workspace: 'grpc',
  bake: 'bake',
  pipelines: 'pipeline',
  env: 'env',
  gitignore: 'gitignore',
  aliases: 'alias',
};

export default class DoctorGenerator extends LocationGenerator {
  private audit!: Audit;

  constructor(args: string[], options: LocationOptions & { json?: boolean; fix?: boolean }) {
    super(args, options, 'none');
    this.option('json', { type: Boolean, description: 'Print the audit as JSON (for CI)' });
    this.option('fix', { type: Boolean, description: 'Add every missing registration through the sub-generators (reviewed like any change)' });
  }

  private get flags() {
    return this.options as LocationOptions & { json?: boolean; fix?: boolean };
  }

  async initializing() {
    const model = this.loadModel();
    this.audit = this._audit(model);
    if (this.flags.json && !this.flags.fix) process.stdout.write(`${JSON.stringify(this.audit, null, 2)}\n`);
    else process.stdout.write(`${formatAudit(this.audit, this.color)}\n`);
    if (!this.flags.fix) return;
    this.fixModel = model;
  }

  /** --fix: each finding's location through its registries' add, staged like any run (committed after review). */
  writing() {
    const model = this.fixModel;
    if (!model) return;
    const report = newReport();
    const orphans = orphanLocations(model, (path) => this.readText(path), diskLister(this.destinationRoot()));
    const locations: Location[] = [...model.locations, ...orphans.map((o) => ({ names: o.names, member: o.names.packageDir, hasClickhouse: Boolean(o.hasClickhouse) }))];
    for (const location of locations) {
      const ids = new Set(this.audit.problems.filter((p) => p.location === location.names.snake && p.registry && p.fixable !== false).map((p) => p.registry!));
      if (ids.size === 0) continue;
      // A location added by hand with no port anywhere gets the next free one, as a new one would.
      const port = location.port ?? nextFreePort(model);
      if (location.port === undefined) model.ports.push({ port, file: '(doctor --fix)', what: `port given to ${location.names.snake}`, owner: location.names.snake });
      // A location added by hand has no short name anywhere yet: give it the one a new location would get.
      const taken = model.locations.map((l) => l.names.short);
      const names = location.names.short === location.names.snake ? locationNames(location.names.snake, defaultShortName(location.names.snake, taken)) : location.names;
      this.ctx = {
        model,
        names,
        port,
        description: `Dagster code location ${location.names.snake}`,
        clickhouse: location.hasClickhouse,
        existing: location,
        report,
      } satisfies RunContext;
      for (const phase of PHASES) this._applyRegistries(phase, (registry) => ids.has(registry.id));
    }
    if (report.changed.has('pyproject.toml')) report.notes.push('Run `uv lock` and `uv sync --group dev`: the workspace changed.');
    this.fixReport = report;
  }

  private fixModel?: Monorepo;

  _audit(model: Monorepo): Audit {
    return auditMonorepo(model, (path) => this.readText(path), diskLister(this.destinationRoot()));
  }

  private fixReport?: RunContext['report'];

  end() {
    if (this.flags.fix && this.fixReport) {
      const changed = [...new Set([...this.fixReport.created, ...this.fixReport.changed])].sort();
      this.log(changed.length > 0 ? `Fixed (staged${this.dryRun ? ', dry run' : ''}):\n${changed.map((f) => `  ${f}`).join('\n')}` : 'Nothing to fix automatically.');
      for (const warning of this.fixReport.warnings) this.log(`  ! ${warning}`);
      for (const item of this.fixReport.leftOut) this.log(`  - left out: ${item.file}${item.line ? `:${item.line}` : ''}: ${item.what} (${item.why})`);
      for (const note of this.fixReport.notes) this.log(`  [ ] ${note}`);
      const after = this._audit(this.loadModel());
      if (this.flags.json) process.stdout.write(`${JSON.stringify(after, null, 2)}\n`);
      if (after.problems.length > 0 && !this.dryRun) {
        reportFailure(`${after.problems.length} problem(s) remain after --fix:\n${after.problems.map(formatProblem).join('\n')}`);
      }
      return;
    }
    if (this.audit.problems.length > 0) {
      const fixable = this.audit.problems.filter((p) => p.registry && p.fixable !== false).length;
      const hint = fixable > 0 ? ` ${fixable} can be fixed with: dagster-location doctor --fix` : ' Each needs a person; see the fixes above.';
      reportFailure(`${this.audit.problems.length} problem(s) found.${hint}`);
    }
  }

  private get color(): boolean {
    return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  }
}

/** Problems are the doctor's findings, not a crash: a message and a non-zero exit, no stack. */
function reportFailure(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

export function formatAudit(audit: Audit, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const nameWidth = Math.max(8, ...audit.locations.map((l) => l.name.length));
  const columns = REGISTRIES.map((r) => HEADINGS[r] ?? r);
  const header = `${'location'.padEnd(nameWidth)}  port  ${columns.join(' ')}`;
  const rows = audit.locations.map((location) => {
    const cells = REGISTRIES.map((registry, i) => {
      const value = location.registered[registry];
      const mark = value === null ? c.dim('-') : value ? c.green('✓') : c.red('✗');
      return mark + ' '.repeat(columns[i].length - 1);
    });
    return `${location.name.padEnd(nameWidth)}  ${String(location.port ?? '?').padEnd(4)}  ${cells.join(' ')}`;
  });
  const lines = [header, ...rows, '', c.dim('✓ registered  ✗ missing  - file not in this repo')];
  if (audit.problems.length === 0) lines.push('', c.green('No problems found.'));
  else lines.push('', c.bold(`${audit.problems.length} problem(s):`), ...audit.problems.map(formatProblem));
  return lines.join('\n');
}

function formatProblem(problem: Audit['problems'][number]): string {
  return `  ${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.problem}\n    fix: ${problem.fix}`;
}
