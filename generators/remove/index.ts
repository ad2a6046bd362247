/**
 * `dagster-location remove <location>`: the location taken out of every registry (each
 * registry's remove, the exact inverse of its add), its package folder, `Dockerfile.<dotted>` and
 * env template deleted; staged, reviewed and committed all or nothing like adding; `uv lock`
 * afterwards. What lives outside the repo (Bitbucket variables, the Swarm service, the shared
 * volume, ClickHouse, the assets' history) is listed for a person.
 */
import { planRemove } from '../../lib/lifecycle.js';
import { LifecycleGenerator } from '../../lib/lifecycle-generator.js';
import type { LocationOptions } from '../../lib/location-generator.js';

export default class RemoveGenerator extends LifecycleGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'remove');
  }

  initializing() {
    const model = this.loadModel();
    this.plan = planRemove({ model, root: this.destinationRoot(), name: this.options.packageName, force: this.forced });
  }

  writing() {
    this._stagePlan();
  }

  install() {
    this._lock();
  }

  end() {
    this._printSummary(['uv sync --group dev', 'dagster-location doctor', 'uv run check-defs', 'uv run pytest']);
  }
}
