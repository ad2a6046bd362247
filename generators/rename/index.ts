/**
 * `dagster-location rename <package_name> <new_package_name> [new_short_name] [new_port]`: every
 * name variant of the location renamed where a registry finds it (its footprint), the port where
 * a new one is given, its package folder, `Dockerfile.<dotted>` and env template moved, and the
 * package's own imports renamed; staged, reviewed and committed all or nothing; `uv lock`
 * afterwards. Renaming back gives the original bytes.
 */
import { formatLifecycleSummary, planRename, stagePlan, type Plan } from '../../lib/lifecycle.js';
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { newReport, useColor, type Report } from '../../lib/report.js';
import { runUv } from '../../lib/uv.js';

type RenameOptions = LocationOptions & { newPackageName?: string; newShortName?: string; newPort?: string };

export default class RenameGenerator extends LocationGenerator {
  private plan!: Plan;
  private report: Report = newReport();

  constructor(args: string[], options: RenameOptions) {
    super(args, options, 'rename');
  }

  private get flags(): RenameOptions {
    return this.options as RenameOptions;
  }

  /** --force applies without review and also renames what exists of an incomplete footprint. */
  private get forced(): boolean {
    const env = this.env as unknown as { conflicterOptions?: { force?: boolean } };
    return Boolean(this.options.force ?? env.conflicterOptions?.force);
  }

  initializing() {
    const model = this.loadModel();
    this.plan = planRename({
      model,
      root: this.destinationRoot(),
      name: this.flags.packageName,
      newName: this.flags.newPackageName,
      newShort: this.flags.newShortName,
      newPort: this.flags.newPort,
      force: this.forced,
    });
  }

  writing() {
    stagePlan(this.plan, this.fs, (path) => this.repoPath(path));
  }

  install() {
    // A dry run wrote nothing: there is nothing to lock yet, and its summary says so.
    if (this.dryRun) return;
    runUv({ cwd: this.destinationRoot(), steps: [['lock']], skip: Boolean(this.options.skipInstall), report: this.report, log: (m) => this.log(m) });
  }

  end() {
    const names = this.plan.renamed!.names;
    process.stdout.write(
      formatLifecycleSummary({
        plan: this.plan,
        report: this.report,
        dryRun: this.dryRun,
        color: useColor(process.stdout),
        verify: ['uv sync --group dev', 'dagster-location doctor', `uv run check-defs --only ${names.snake}`, 'uv run pytest'],
      }),
    );
  }
}
