/**
 * What `remove` and `rename` share: a plan made in `initializing` (lib/lifecycle.ts), staged in
 * `writing`, the lock refreshed after the commit, and the closing summary. Yeoman queues only a
 * generator class's own methods as tasks, so each keeps its task methods and calls these.
 */
import { formatLifecycleSummary, stagePlan, type Plan } from './lifecycle.js';
import { LocationGenerator } from './location-generator.js';
import { newReport, useColor, type Report } from './report.js';
import { runUv } from './uv.js';

export abstract class LifecycleGenerator extends LocationGenerator {
  protected plan!: Plan;
  protected report: Report = newReport();

  /** --force applies without review and also acts on what exists of an incomplete footprint. */
  protected get forced(): boolean {
    const env = this.env as unknown as { conflicterOptions?: { force?: boolean } };
    return Boolean(this.options.force ?? env.conflicterOptions?.force);
  }

  protected _stagePlan(): void {
    stagePlan(this.plan, this.fs, (path) => this.repoPath(path));
  }

  protected _lock(): void {
    // A dry run wrote nothing: there is nothing to lock yet, and its summary says so.
    if (this.dryRun) return;
    runUv({ cwd: this.destinationRoot(), steps: [['lock']], skip: Boolean(this.options.skipInstall), report: this.report, log: (m) => this.log(m) });
  }

  /** The summary, with the commands that verify the result. */
  protected _printSummary(verify: string[]): void {
    process.stdout.write(formatLifecycleSummary({ plan: this.plan, report: this.report, dryRun: this.dryRun, color: useColor(process.stdout), verify }));
  }
}
