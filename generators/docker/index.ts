/**
 * Phases 4 and 5: the location's Dockerfile.<dotted.name> (the canonical location's, renamed,
 * or the template), the new member's pyproject.toml stub in every Dockerfile that runs
 * `uv sync --frozen` (the guide's pitfall), the compose.yml service with the webserver's and
 * daemon's depends_on, and the docker-stack.yml service.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { addStub, locationDockerfileProblems } from '../../lib/editors/dockerfile.js';
import { entryFields, parseYaml } from '../../lib/editors/yaml.js';
import { composeRegistry } from '../../lib/registries/compose.js';
import type { Registry } from '../../lib/registries/registry.js';
import { stackRegistry } from '../../lib/registries/stack.js';
import { registryInput } from '../../lib/registries/yaml-footprint.js';
import { dockerfileFromCanonical, dockerfileTemplateData, stackImage, stubMembers } from './files.js';

export default class DockerGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'new-location');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    this._writeDockerfile();
    this._addStubs();
    this._editServices();
  }

  end() {
    this.printSummary();
  }

  /** Dockerfile.<dotted.name>: the canonical one renamed, else the template; never overwritten. */
  _writeDockerfile() {
    const { model, names, port, report } = this.ctx;
    const path = names.dockerfile;
    if (this.readText(path) !== undefined) return;
    const members = stubMembers(model.memberDirs, names);
    const rename = this.canonicalRenamer();
    const canonicalText = rename && model.canonical ? this.readText(model.canonical.names.dockerfile) : undefined;
    if (canonicalText !== undefined && rename) {
      this.createFile(path, dockerfileFromCanonical(canonicalText, rename.apply, members, path));
    } else {
      const entrypoint = this.readText('entrypoint.code-location.sh') !== undefined;
      this.fs.copyTpl(this.templatePath('Dockerfile.ejs'), this.repoPath(path), dockerfileTemplateData(names, port, model, entrypoint));
      report.created.add(path);
    }
    const problems = locationDockerfileProblems(this.readText(path)!, { snake: names.snake, kebab: names.kebab, port, members });
    if (problems.length > 0) {
      const from = canonicalText !== undefined ? ` (copied from ${model.canonical!.names.dockerfile})` : '';
      report.warnings.push(`${path}${from}: check it by hand: ${problems.join('; ')}`);
    }
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

  /** The guide's pitfall: every Dockerfile that runs `uv sync --frozen` copies every member's pyproject.toml. */
  _addStubs() {
    for (const file of this.ctx.model.frozenDockerfiles) {
      this.editFile(file, (text) => addStub(text, this.ctx.names.snake, file));
    }
  }

  _editServices() {
    const { model, names, report } = this.ctx;
    const { compose, stack } = model.conventions.files;
    this._addWith(composeRegistry, compose, `add a ${names.service} service (and depends_on of the webserver and daemon) when there is one`);
    this._addWith(stackRegistry, stack, `add a ${names.service} Swarm service when there is one`);
    const text = this.readText(stack);
    if (text !== undefined) {
      const image = entryFields(parseYaml(text, stack), ['services'], ['image']).get(names.service)?.image;
      const expected = stackImage(names, model.conventions);
      if (image !== undefined && image !== expected) report.warnings.push(`${stack}: ${names.service} runs ${image}; the guide's image is ${expected}`);
    }
  }
}
