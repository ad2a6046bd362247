/**
 * Phases 4 and 5: the location's Dockerfile.<dotted.name> (the canonical location's, renamed,
 * or the template), the new member's pyproject.toml stub in every Dockerfile that runs
 * `uv sync --frozen` (the guide's pitfall), the compose.yml service with the webserver's and
 * daemon's depends_on, and the docker-stack.yml service.
 */
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { addStub, locationDockerfileProblems } from '../../lib/editors/dockerfile.js';
import { entryFields, parseYaml } from '../../lib/editors/yaml.js';
import { composeEdit, dockerfileFromCanonical, dockerfileTemplateData, stackEdit, stackImage, stubMembers, type ServiceEdit } from './files.js';

export default class DockerGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'docker');
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

  /** The guide's pitfall: every Dockerfile that runs `uv sync --frozen` copies every member's pyproject.toml. */
  _addStubs() {
    const { model, names, existing, report } = this.ctx;
    for (const file of model.frozenDockerfiles) {
      this.editFile(file, (text) => addStub(text, names.snake, file));
    }
    // On its own, before the package exists, those COPY lines name a file that is not there yet.
    const pyproject = `${existing?.member ?? names.packageDir}/pyproject.toml`;
    const copying = model.frozenDockerfiles.filter((file) => report.changed.has(file));
    if (this.readText(pyproject) === undefined && copying.length > 0) {
      report.warnings.push(
        `${pyproject} does not exist yet, and ${copying.join(', ')} now COPY it: \`docker build\` of those images fails ` +
          `until it does. Create the package: dagster-location package ${names.snake}`,
      );
    }
  }

  _editServices() {
    const { model, names, port, report } = this.ctx;
    const { compose, stack } = model.conventions.files;
    const locations = model.locations.filter((l) => l.names.snake !== names.snake);
    const canonical = model.canonical && model.canonical.names.snake !== names.snake ? model.canonical : undefined;
    const edit = (file: string): ServiceEdit => ({ file, names, port, locations, canonical, warn: (m) => report.warnings.push(m) });

    this.editFile(compose, (text) => composeEdit(text, edit(compose)), {
      optional: `add a ${names.service} service (and depends_on of the webserver and daemon) when there is one`,
    });
    this.editFile(stack, (text) => stackEdit(text, { ...edit(stack), conventions: model.conventions }), {
      optional: `add a ${names.service} Swarm service when there is one`,
    });
    const text = this.readText(stack);
    if (text !== undefined) {
      const image = entryFields(parseYaml(text, stack), ['services'], ['image']).get(names.service)?.image;
      const expected = stackImage(names, model.conventions);
      if (image !== undefined && image !== expected) report.warnings.push(`${stack}: ${names.service} runs ${image}; the guide's image is ${expected}`);
    }
  }
}
