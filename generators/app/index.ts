/**
 * `yo dagster-location <package_name> [short_name] [port]`: every phase of the guide in one run.
 * It resolves the location once (flags, then prompts in a terminal), then composes one
 * sub-generator per phase group with that context; each of them is also usable on its own.
 */
import { fileURLToPath } from 'node:url';
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import PackageGenerator from '../package/index.js';
import ClickhouseGenerator from '../clickhouse/index.js';
import DockerGenerator from '../docker/index.js';
import CiGenerator from '../ci/index.js';
import EnvGenerator from '../env/index.js';

const PHASES = [
  { name: 'package', Generator: PackageGenerator },
  { name: 'clickhouse', Generator: ClickhouseGenerator, when: (clickhouse: boolean) => clickhouse },
  { name: 'docker', Generator: DockerGenerator },
  { name: 'ci', Generator: CiGenerator },
  { name: 'env', Generator: EnvGenerator },
] as const;

export default class AppGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'app');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false, askClickhouse: true });
    if (this.ctx.existing) {
      this.log(`${this.ctx.names.snake} already exists (port ${this.ctx.existing.port ?? 'unknown'}); only missing registrations will be added.`);
    }
    for (const phase of PHASES) {
      if ('when' in phase && !phase.when(this.ctx.clickhouse)) continue;
      const path = fileURLToPath(new URL(`../${phase.name}/index.js`, import.meta.url));
      const options: Partial<LocationOptions> = {
        context: this.ctx,
        skipInstall: this.options.skipInstall,
        verify: this.options.verify,
        runCommand: this.options.runCommand,
      };
      await this.composeWith({ Generator: phase.Generator, path }, options);
    }
  }

  end() {
    this.printSummary();
  }
}
