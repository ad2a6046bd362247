/**
 * Phase 6: the production workspace and CI. A `grpc_server` entry in workspace.yaml, a build
 * target in docker-bake.hcl (and in its default group), and the build-push and deploy steps in
 * bitbucket-pipelines.yml wherever the canonical location's steps are used. A missing file is
 * skipped with a warning; a file that cannot be understood stops the run before anything is written.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';

export default class CiGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'new-location');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    this._applyRegistries('ci');
  }

  end() {
    this.printSummary();
  }
}
