/**
 * Phases 4 and 5: the location's Dockerfile.<dotted.name> (the canonical location's, renamed,
 * or the template), the new member's pyproject.toml stub in every Dockerfile that runs
 * `uv sync --frozen` (the guide's pitfall), the compose.yml service with the webserver's and
 * daemon's depends_on, and the docker-stack.yml service.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';

export default class DockerGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'docker');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    this._applyRegistries('docker');
    this._warnMissingPackage();
  }

  /** On its own, before the package exists, the new stub COPY lines name a file that is not there yet. */
  _warnMissingPackage() {
    const { model, names, existing, report } = this.ctx;
    const pyproject = `${existing?.member ?? names.packageDir}/pyproject.toml`;
    const copying = model.frozenDockerfiles.filter((file) => report.changed.has(file));
    if (this.readText(pyproject) !== undefined || copying.length === 0) return;
    report.warnings.push(
      `${pyproject} does not exist yet, and ${copying.join(', ')} now COPY it: \`docker build\` of those images fails ` +
        `until it does. Create the package: dagster-location package ${names.snake}`,
    );
  }

  end() {
    this.printSummary();
  }
}
