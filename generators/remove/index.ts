/**
 * `dagster-location remove <location>`: the location taken out of every registry (each
 * registry's remove, the exact inverse of its add), its package folder, `Dockerfile.<dotted>` and
 * env template deleted; staged, reviewed and committed all or nothing like adding; `uv lock`
 * afterwards. What lives outside the repo (Bitbucket variables, the Swarm service, the shared
 * volume, ClickHouse, the assets' history) is listed for a person.
 */
import { formatLifecycleSummary, planRemove, stagePlan, type Plan } from '../../lib/lifecycle.js';
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { newReport, useColor, type Report } from '../../lib/report.js';
import { runUv } from '../../lib/uv.js';

export default class RemoveGenerator extends LocationGenerator {
  private plan!: Plan;
  private report: Report = newReport();

  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'remove');
  }

  /** --force applies without review and also removes what exists of an incomplete footprint. */
  private get forced(): boolean {
    const env = this.env as unknown as { conflicterOptions?: { force?: boolean } };
    return Boolean(this.options.force ?? env.conflicterOptions?.force);
  }

  initializing() {
    const model = this.loadModel();
    this.plan = planRemove({ model, root: this.destinationRoot(), name: this.options.packageName, force: this.forced });
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
    process.stdout.write(
      formatLifecycleSummary({ plan: this.plan, report: this.report, dryRun: this.dryRun, color: useColor(process.stdout), verify: ['uv sync --group dev', 'dagster-location doctor', 'uv run check-defs', 'uv run pytest'] }),
    );
  }
}
