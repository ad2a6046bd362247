/**
 * Phases 1 and 2: the package under src/<name>/ and its registration in the root pyproject.toml
 * (every list and table the canonical location is in: see lib/registries/pyproject.ts), then
 * `uv lock` and `uv sync --group dev`.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { runUv } from '../../lib/uv.js';

export default class PackageGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'new-location');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    this._applyRegistries('package');
  }

  install() {
    if (!this.ctx.report.changed.has('pyproject.toml')) return;
    const steps = [['lock'], ['sync', '--group', 'dev']];
    const skip = Boolean(this.options.skipInstall || this.dryRun);
    if (runUv({ cwd: this.destinationRoot(), steps, skip, report: this.ctx.report, log: (m) => this.log(m) })) this.ctx.report.installed = true;
  }

  end() {
    this.printSummary();
  }
}
