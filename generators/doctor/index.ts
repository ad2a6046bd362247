/**
 * `dagster-location doctor`: audit the monorepo against the guide. A table of locations ×
 * registries (at most 100 columns), then every finding with its `file:line` and fix; `--json`
 * for machines (one object per finding); a non-zero exit when anything is wrong.
 *
 * `--fix` adds the missing registrations through the same sub-generators (staged and reviewed
 * like any run), then audits the files on disk again and prints that table: the exit code says
 * whether problems remain. `--fix --dry-run` prints the fix as a patch on stdout (the audit goes
 * to stderr) and exits non-zero when there is anything to fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditMonorepo, orphanLocations, type Audit } from '../../lib/audit.js';
import { useColor } from '../../lib/color.js';
import { auditJson, formatAudit } from '../../lib/doctor-report.js';
import { LocationGenerator, type LocationOptions, type RunContext } from '../../lib/location-generator.js';
import { diskLister, nextFreePort, readMonorepo, type Location, type Monorepo, type Reader } from '../../lib/monorepo.js';
import { defaultShortName, locationNames, nameInWords } from '../../lib/naming.js';
import { PHASES } from '../../lib/registries/index.js';
import { newReport, type Report } from '../../lib/report.js';


type DoctorOptions = LocationOptions & { json?: boolean; fix?: boolean };

export default class DoctorGenerator extends LocationGenerator {
  private before!: Audit;
  private fixReport?: Report;

  constructor(args: string[], options: DoctorOptions) {
    super(args, options, 'doctor');
  }

  private get flags(): DoctorOptions {
    return this.options as DoctorOptions;
  }

  protected override get commitReport(): Report | undefined {
    return this.fixReport;
  }

  async initializing() {
    const model = this.loadModel();
    this.before = this._audit(model);
    if (!this.flags.fix) {
      if (this.flags.json) process.stdout.write(`${JSON.stringify(auditJson(this.before), null, 2)}\n`);
      else process.stdout.write(`${formatAudit(this.before, useColor(process.stdout))}\n`);
      return;
    }
    if (this.dryRun) {
      // The patch is the result on stdout; the audit it answers goes to stderr.
      process.stderr.write(`${formatAudit(this.before, useColor(process.stderr))}\n`);
    } else {
      const fixable = this.before.problems.filter((p) => p.fixable).length;
      this.log(`Found ${this.before.problems.length} problem(s); ${fixable} can be fixed here.`);
    }

    this.fixModel = model;
  }

  /** --fix: each finding's location through the add of the registries that found it, staged like any run. */
  writing() {
    const model = this.fixModel;
    if (!model) return;
    const report = newReport();
    this.fixReport = report;
    const orphans = orphanLocations(model, (path) => this.readText(path), diskLister(this.destinationRoot()));
    const locations: Location[] = [...model.locations, ...orphans.map((o) => ({ names: o.names, member: o.names.packageDir, hasClickhouse: Boolean(o.hasClickhouse) }))];
    for (const location of locations) {
      const ids = new Set(this.before.problems.filter((p) => p.location === location.names.snake && p.fixable && p.registry).map((p) => p.registry!));
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
        description: location.description ?? nameInWords(location.names.snake),
        clickhouse: location.hasClickhouse,
        existing: location,
        report,
      } satisfies RunContext;
      for (const phase of PHASES) this._applyRegistries(phase, (registry) => ids.has(registry.id));
    }
    if (report.changed.has('pyproject.toml')) report.notes.push('Run `uv lock` and `uv sync --group dev`: the workspace changed.');
  }

  private fixModel?: Monorepo;

  _audit(model: Monorepo, read: Reader = (path) => this.readText(path)): Audit {
    return auditMonorepo(model, read, diskLister(model.root));
  }

  end() {
    if (!this.flags.fix) {
      if (this.before.problems.length > 0) {
        const fixable = this.before.problems.filter((p) => p.fixable).length;
        const hint = fixable > 0 ? ` ${fixable} can be fixed with: dagster-location doctor --fix` : ' Each needs a person; see the fixes above.';
        reportFailure(`${this.before.problems.length} problem(s) found.${hint}`);
      }
      return;
    }
    const outcome = this.fixReport?.outcome;
    for (const warning of this.fixReport?.warnings ?? []) this.log(`! ${warning}`);
    for (const item of this.fixReport?.leftOut ?? []) this.log(`- left out: ${item.file}${item.line ? `:${item.line}` : ''}: ${item.what} (${item.why})`);
    for (const note of this.fixReport?.notes ?? []) this.log(`[ ] ${note}`);
    if (this.dryRun) {
      const staged = this.fixReport ? [...this.fixReport.staged] : [];
      const fixable = this.before.problems.filter((p) => p.fixable).length;
      if (this.before.problems.length > 0) {
        reportFailure(
          `${this.before.problems.length} problem(s): ${fixable} would be fixed by changing ${staged.length} file(s) (the patch above), ` +
            `${this.before.problems.length - fixable} need a person. Nothing was written.`,
        );
      } else this.log('No problems found. Nothing was written.');
      return;
    }
    const written = outcome ? [...outcome.created, ...outcome.changed].sort() : [];
    if (written.length > 0) this.log(`Fixed: wrote ${written.join(', ')}`);
    for (const skipped of outcome?.skipped ?? []) this.log(`Not written: ${skipped.path} (${skipped.reason})`);
    // The files on disk now, not the staged ones (a file you declined in the review is as it was).
    const root = this.destinationRoot();
    const disk: Reader = (path) => {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    };
    const after = this._audit(readMonorepo(root, disk, diskLister(root)), disk);
    if (this.flags.json) {
      const fixed = { created: outcome?.created ?? [], changed: outcome?.changed ?? [], skipped: outcome?.skipped ?? [] };
      process.stdout.write(`${JSON.stringify({ ...auditJson(after), fixed }, null, 2)}\n`);
    } else process.stdout.write(`${formatAudit(after, useColor(process.stdout))}\n`);
    if (after.problems.length > 0) reportFailure(`${after.problems.length} problem(s) remain after --fix.`);
  }
}

/** Problems are the doctor's findings, not a crash: a message and a non-zero exit, no stack. */
function reportFailure(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

// The formatting is the read-only fast path's too (lib/fast-commands.ts): one source.
export { auditJson, formatAudit, formatProblem, TABLE_WIDTH } from '../../lib/doctor-report.js';
