/**
 * Phases 4 and 5: the location's Dockerfile.<dotted.name> (the canonical location's, renamed,
 * or the template), the new member's pyproject.toml stub in every Dockerfile that runs
 * `uv sync --frozen` (the guide's pitfall), the compose.yml service with the webserver's and
 * daemon's depends_on, and the docker-stack.yml service.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';

export default class DockerGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'new-location');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    this._applyRegistries('docker');
  }

  end() {
    this.printSummary();
  }
}
