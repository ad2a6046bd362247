/**
 * `dagster-location rename <package_name> <new_package_name> [new_short_name] [new_port]`: every
 * name variant of the location renamed where a registry finds it (its footprint), the port where
 * a new one is given, its package folder, `Dockerfile.<dotted>` and env template moved, and the
 * package's own imports renamed; staged, reviewed and committed all or nothing; `uv lock`
 * afterwards. Renaming back gives the original bytes.
 */
import { planRename } from '../../lib/lifecycle.js';
import { LifecycleGenerator } from '../../lib/lifecycle-generator.js';
import type { LocationOptions } from '../../lib/location-generator.js';

type RenameOptions = LocationOptions & { newPackageName?: string; newShortName?: string; newPort?: string };

export default class RenameGenerator extends LifecycleGenerator {
  constructor(args: string[], options: RenameOptions) {
    super(args, options, 'rename');
  }

  private get flags(): RenameOptions {
    return this.options as RenameOptions;
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
    this._stagePlan();
  }

  install() {
    this._lock();
  }

  end() {
    const names = this.plan.renamed!.names;
    this._printSummary(['uv sync --group dev', 'dagster-location doctor', `uv run check-defs --only ${names.snake}`, 'uv run pytest']);
  }
}
