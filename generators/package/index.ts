/**
 * Phases 1 and 2: the package under src/<name>/ and its registration in the root pyproject.toml
 * (every list and table the canonical location is in: see lib/registries/pyproject.ts), then
 * `uv lock` and `uv sync --group dev`.
 */
import { spawnSync } from 'node:child_process';
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';

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
    if (this.options.skipInstall || this.dryRun) {
      this.ctx.report.notes.push('Run `uv lock` and `uv sync --group dev` (install was skipped).');
      return;
    }
    if (!hasUv()) {
      this.ctx.report.warnings.push('uv is not installed: run `uv lock` and then `uv sync --group dev` by hand.');
      return;
    }
    for (const args of [['lock'], ['sync', '--group', 'dev']]) {
      this.log(`Running uv ${args.join(' ')}`);
      const result = spawnSync('uv', args, { cwd: this.destinationRoot(), stdio: 'inherit' });
      if (result.status !== 0) {
        throw new Error(
          `uv ${args.join(' ')} failed (exit ${result.status ?? result.signal}). The files are written; fix the cause, then run:\n  uv lock\n  uv sync --group dev`,
        );
      }
    }
    this.ctx.report.installed = true;
  }

  end() {
    this.printSummary();
  }
}

function hasUv(): boolean {
  const probe = spawnSync('uv', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}
