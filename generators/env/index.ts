/**
 * Phase 7 and the closing checklist: the location's env template (empty values, a header saying
 * where the real file goes at deploy time), the `.gitignore` rule that keeps real env files out,
 * the short-name alias in the devtools scripts, and with `--verify` the verification commands
 * that can run locally, after install.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { DEPLOY_ENV_DIR, envTemplatePath } from './files.js';
import { runVerification, spawnRunner } from './verify.js';

export default class EnvGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'new-location');
    this.option('verify', {
      type: Boolean,
      description:
        'After writing (and uv lock/sync), run uv tree --package, uv run check-defs --only, uv run pytest and, with ClickHouse and CLICKHOUSE_HOST set, bootstrap-clickhouse --locations; report each',
    });
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    const { model, names } = this.ctx;
    this._applyRegistries('env');
    const template = envTemplatePath(model.conventions.files.environments, names.snake);
    this.ctx.report.notes.push(`Put the real env file at ${DEPLOY_ENV_DIR}/${names.snake}.env on the shared volume, with a value for each variable of ${template}`);
  }

  install() {
    if (!this.options.verify) return;
    this.ctx.report.verification = runVerification({
      names: this.ctx.names,
      clickhouse: this.ctx.clickhouse,
      cwd: this.destinationRoot(),
      run: this.options.runCommand ?? spawnRunner,
      env: process.env,
      skipAll: this.dryRun ? 'dry run: nothing was written' : undefined,
      log: (line) => this.log(line),
    });
    // A failed check is the run's result too: CI must see it.
    if (this.ctx.report.verification.some((check) => check.status === 'failed')) process.exitCode = 1;
  }

  end() {
    this.printSummary();
  }
}
