/**
 * Phases 1 and 2: the package under src/<name>/ and its registration in the root pyproject.toml
 * (every list and table the canonical location is in: see lib/registries/pyproject.ts), then
 * `uv lock` and `uv sync --group dev`.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { wasWritten } from '../../lib/report.js';
import { runUv } from '../../lib/uv.js';

export default class PackageGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'package');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    this._applyRegistries('package');
  }

  install() {
    // Only after a real run that wrote the root pyproject.toml (not skipped in the review, not a dry run).
    if (!wasWritten(this.ctx.report, 'pyproject.toml')) return;
    const steps = [['lock'], ['sync', '--group', 'dev']];
    if (runUv({ cwd: this.destinationRoot(), steps, skip: Boolean(this.options.skipInstall), report: this.ctx.report, log: (m) => this.log(m) })) this.ctx.report.installed = true;
  }

  end() {
    this.printSummary();
  }
}
