/**
 * Phases 1 and 2: the package under src/<name>/ and its registration in the root pyproject.toml
 * (workspace members, project dependencies, uv sources, hatch wheel packages), then `uv lock`
 * and `uv sync --group dev`.
 */
import { spawnSync } from 'node:child_process';
import { CancelledError } from '../../lib/commit.js';
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { wasWritten } from '../../lib/report.js';
import { addTableEntry, appendToArray, keyValueText, parseToml, withoutComment } from '../../lib/editors/toml.js';
import { packageFiles, rootPyprojectEdits } from './files.js';

export default class PackageGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'package');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    const { model, names } = this.ctx;
    const canonicalPyproject = model.canonical && this.readText(`${model.canonical.member}/pyproject.toml`);
    for (const file of packageFiles(this.ctx, canonicalPyproject, !this.isComposed)) {
      if (this.readText(file.path) !== undefined) continue;
      this.fs.copyTpl(this.templatePath(file.template), this.repoPath(file.path), file.data);
      this.ctx.report.created.add(file.path);
    }
    this.editFile('pyproject.toml', (text) => {
      const edits = rootPyprojectEdits(parseToml(text), names, model.canonical?.names.kebab);
      let result = text;
      for (const path of edits.arrays) result = appendToArray(result, path.key, path.value);
      const sibling = edits.canonicalSource && keyValueText(result, ['tool', 'uv', 'sources', edits.canonicalSource]);
      const line = sibling ? withoutComment(sibling).replace(edits.canonicalSource!, names.kebab) : `${names.kebab} = { workspace = true }`;
      return addTableEntry(result, ['tool', 'uv', 'sources'], names.kebab, line);
    });
  }

  install() {
    // Only after a real run that wrote the root pyproject.toml (not skipped in the review, not a dry run).
    if (!wasWritten(this.ctx.report, 'pyproject.toml')) return;
    if (this.options.skipInstall) {
      this.ctx.report.notes.push('Run `uv lock` and `uv sync --group dev` (--skip-install: they did not run).');
      return;
    }
    if (!hasUv()) {
      this.ctx.report.warnings.push('uv is not installed: run `uv lock` and then `uv sync --group dev` by hand.');
      return;
    }
    for (const args of [['lock'], ['sync', '--group', 'dev']]) {
      this.log(`Running uv ${args.join(' ')}`);
      const result = spawnSync('uv', args, { cwd: this.destinationRoot(), stdio: 'inherit' });
      if (result.signal === 'SIGINT') throw new CancelledError();
      if (result.status !== 0) {
        throw new Error(
          `uv ${args.join(' ')} failed (exit ${result.status ?? result.signal}). The files are written; fix the cause, then run:\n  uv lock\n  uv sync --group dev`,
        );
      }
    }
    this.ctx.report.installed = true;
  }

  end() {
    this.printSummary();
  }
}

function hasUv(): boolean {
  const probe = spawnSync('uv', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}
