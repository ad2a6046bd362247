/**
 * Phase 6: the production workspace and CI. A `grpc_server` entry in workspace.yaml, a build
 * target in docker-bake.hcl (and in its default group), and the build-push and deploy steps in
 * bitbucket-pipelines.yml wherever the canonical location's steps are used. A missing file is
 * skipped with a warning; a file that cannot be understood stops the run before anything is written.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { pipelinesRegistry } from '../../lib/registries/pipelines.js';
import type { Registry } from '../../lib/registries/registry.js';
import { workspaceRegistry } from '../../lib/registries/workspace.js';
import { registryInput } from '../../lib/registries/yaml-footprint.js';
import { addBakeTarget } from './files.js';

export default class CiGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'new-location');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    const { workspace, bake, pipelines } = this.ctx.model.conventions.files;
    this._addWith(workspaceRegistry, workspace, `add a grpc_server entry for ${this.ctx.names.snake} (port ${this.ctx.port}) where the production workspace is defined.`);
    this.editFile(bake, (text) => this._keepWarnings(addBakeTarget(text, this.ctx, bake)), {
      optional: `no bake target ${this.ctx.names.image} was added.`,
    });
    this._addWith(pipelinesRegistry, pipelines, `no CI steps &${this.ctx.names.buildPushAnchor} / &${this.ctx.names.deployAnchor} were added.`);
  }

  /** A registry's add on one file: its warnings and what it left out go to the summary. */
  _addWith(registry: Registry, file: string, optional: string) {
    const input = registryInput(this.ctx, (path) => this.readText(path));
    if (!input) {
      this.ctx.report.warnings.push(`${file}: no other code location to copy: ${optional}`);
      return;
    }
    this.editFile(
      file,
      (text) => {
        const result = registry.add(text, file, input);
        this.ctx.report.warnings.push(...result.warnings);
        this.ctx.report.notes.push(...result.leftOut.map((l) => `${l.file}${l.line ? `:${l.line}` : ''}: ${l.what} was not copied for ${this.ctx.names.snake} (${l.why})`));
        return result.text;
      },
      { optional },
    );
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
