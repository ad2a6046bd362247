/**
 * `dagster-location doctor`: audit the monorepo against the guide. A table of locations ×
 * registries, then every problem with its file and fix; `--json` for machines; a non-zero exit
 * when anything is wrong. `--fix` adds the missing registrations through the same sub-generators
 * (staged and reviewed like any run).
 */
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { auditMonorepo, REGISTRIES, REGISTRY_INFO, type Audit, type Registry } from '../../lib/audit.js';
import { LocationGenerator, type LocationOptions, type RunContext } from '../../lib/location-generator.js';
import { nextFreePort } from '../../lib/monorepo.js';
import { defaultShortName, locationNames } from '../../lib/naming.js';
import { newReport } from '../../lib/report.js';
import PackageGenerator from '../package/index.js';
import DockerGenerator from '../docker/index.js';
import CiGenerator from '../ci/index.js';
import EnvGenerator from '../env/index.js';

const FIXERS = [
  { name: 'package', Generator: PackageGenerator },
  { name: 'docker', Generator: DockerGenerator },
  { name: 'ci', Generator: CiGenerator },
  { name: 'env', Generator: EnvGenerator },
] as const;

/** Column headings of the table, in the guide's phase order. */
const HEADINGS: Record<Registry, string> = {
  members: 'member',
  dependencies: 'dep',
  sources: 'source',
  hatch: 'hatch',
  dockerfile: 'Dockerfile',
  compose: 'compose',
  depends_on: 'depends',
  stack: 'stack',
  workspace: 'grpc',
  bake: 'bake',
  bake_group: 'group',
  pipelines: 'pipeline',
  env: 'env',
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
    this.audit = auditMonorepo(model, (path) => this.readText(path));
    if (this.flags.json && !this.flags.fix) process.stdout.write(`${JSON.stringify(this.audit, null, 2)}\n`);
    else process.stdout.write(`${formatAudit(this.audit, this.color)}\n`);
    if (!this.flags.fix) return;

    const report = newReport();
    for (const location of model.locations) {
      const registries = new Set(this.audit.problems.filter((p) => p.location === location.names.snake && p.registry).map((p) => p.registry!));
      if (registries.size === 0) continue;
      // A location added by hand with no port anywhere gets the next free one, as a new one would.
      const port = location.port ?? nextFreePort(model);
      if (location.port === undefined) model.ports.push({ port, file: '(doctor --fix)', what: `port given to ${location.names.snake}`, owner: location.names.snake });
      // A location added by hand has no short name anywhere yet: give it the one a new location would get.
      const taken = model.locations.map((l) => l.names.short);
      const names = location.names.short === location.names.snake ? locationNames(location.names.snake, defaultShortName(location.names.snake, taken)) : location.names;
      const context: RunContext = {
        model,
        names,
        port,
        description: `Dagster code location ${location.names.snake}`,
        clickhouse: location.hasClickhouse,
        existing: location,
        report,
      };
      for (const fixer of FIXERS) {
        if (![...registries].some((r) => REGISTRY_INFO[r].fixedBy === fixer.name)) continue;
        const path = fileURLToPath(new URL(`../${fixer.name}/index.js`, import.meta.url));
        const options: Partial<LocationOptions> = { context, skipInstall: this.options.skipInstall };
        await this.composeWith({ Generator: fixer.Generator, path }, options);
      }
    }
    this.fixReport = report;
  }

  private fixReport?: RunContext['report'];

  end() {
    if (this.flags.fix && this.fixReport) {
      const changed = [...new Set([...this.fixReport.created, ...this.fixReport.changed])].sort();
      this.log(changed.length > 0 ? `Fixed (staged${this.dryRun ? ', dry run' : ''}):\n${changed.map((f) => `  ${f}`).join('\n')}` : 'Nothing to fix automatically.');
      for (const warning of this.fixReport.warnings) this.log(`  ! ${warning}`);
      const after = auditMonorepo(this.loadModel(), (path) => this.readText(path));
      if (this.flags.json) process.stdout.write(`${JSON.stringify(after, null, 2)}\n`);
      if (after.problems.length > 0 && !this.dryRun) {
        reportFailure(`${after.problems.length} problem(s) remain after --fix:\n${after.problems.map(formatProblem).join('\n')}`);
      }
      return;
    }
    if (this.audit.problems.length > 0) {
      const fixable = this.audit.problems.filter((p) => p.registry).length;
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
  const columns = REGISTRIES.map((r) => HEADINGS[r]);
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
  return `  ${problem.file}: ${problem.problem}\n    fix: ${problem.fix}`;
}
