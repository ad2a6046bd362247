/**
 * Phases 1 and 2: the package under src/<name>/ and its registration in the root pyproject.toml
 * (every list and table the canonical location is in: see lib/registries/pyproject.ts), then
 * `uv lock` and `uv sync --group dev`.
 */
import { spawnSync } from 'node:child_process';
import { CancelledError } from '../../lib/commit.js';
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { wasWritten } from '../../lib/report.js';

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
    if (this.options.skipInstall) {
      this.ctx.report.notes.push('Run `uv lock` and `uv sync --group dev` (--skip-install: they did not run).');
      return;
    }
    if (!hasUv()) {
      this.ctx.report.warnings.push('uv is not installed: run `uv lock` and then `uv sync --group dev` by hand.');
      return;
    }
    for (const args of [['lock'], ['sync', '--group', 'dev']]) {
      this.log(`Running uv ${args.join(' ')}`);
      const result = spawnSync('uv', args, { cwd: this.destinationRoot(), stdio: 'inherit' });
      if (result.signal === 'SIGINT') throw new CancelledError();
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
