/**
 * Phase 6: the production workspace and CI. A `grpc_server` entry in workspace.yaml, a build
 * target in docker-bake.hcl (and in its default group), and the build-push and deploy steps in
 * bitbucket-pipelines.yml wherever the canonical location's steps are used. A missing file is
 * skipped with a warning; a file that cannot be understood stops the run before anything is written.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { addBakeTarget, addPipelineSteps, addWorkspaceEntry } from './files.js';

export default class CiGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'ci');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    const { workspace, bake, pipelines } = this.ctx.model.conventions.files;
    this.editFile(workspace, (text) => addWorkspaceEntry(text, this.ctx, workspace), {
      optional: `add a grpc_server entry for ${this.ctx.names.snake} (port ${this.ctx.port}) where the production workspace is defined.`,
    });
    this.editFile(bake, (text) => this._keepWarnings(addBakeTarget(text, this.ctx, bake)), {
      optional: `no bake target ${this.ctx.names.image} was added.`,
    });
    this.editFile(pipelines, (text) => this._keepWarnings(addPipelineSteps(text, this.ctx, pipelines)), {
      optional: `no CI steps &${this.ctx.names.buildPushAnchor} / &${this.ctx.names.deployAnchor} were added.`,
    });
  }

  /** An edit's text, with what it could not do added to the summary's warnings. */
  _keepWarnings(result: { text: string; warnings: string[] }): string {
    this.ctx.report.warnings.push(...result.warnings);
    return result.text;
  }

  end() {
    this.printSummary();
  }
}
