/**
 * Phase 7 and the closing checklist: the location's env template (empty values, a header saying
 * where the real file goes at deploy time), the `.gitignore` rule that keeps real env files out,
 * the short-name alias in the devtools scripts, and with `--verify` the verification commands
 * that can run locally, after install.
 */
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { addAlias, findAliasDict } from '../../lib/editors/python.js';
import { envKeys } from '../../lib/editors/env.js';
import { LocationGenerator, type LocationOptions } from '../../lib/location-generator.js';
import { clickhouseEnvKeys } from '../clickhouse/files.js';
import { addGitignoreRule, DEPLOY_ENV_DIR, envTemplatePath, envTemplateText, gitignoreIgnores } from './files.js';
import { runVerification, spawnRunner } from './verify.js';

const GITIGNORE_COMMENT = 'Real env files hold secrets; only templates are committed';

export default class EnvGenerator extends LocationGenerator {
  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'env');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: false });
  }

  writing() {
    const { model, names } = this.ctx;
    const envDir = model.conventions.files.environments;
    const template = envTemplatePath(envDir, names.snake);

    if (this.readText(template) === undefined) {
      const templates = this._existingTemplates(envDir, template);
      const withClickhouse = templates.find((t) => envKeys(t.text).some((k) => k.startsWith('CLICKHOUSE_')));
      const clickhouse = this.ctx.clickhouse ? clickhouseEnvKeys(withClickhouse?.text, this.readText(`${this._sharedMember()}/clickhouse/config.py`)) : undefined;
      this.createFile(template, envTemplateText({ names, templates, clickhouse }));
    }

    const realFile = `${envDir}/${names.snake}.env`;
    const gitignore = this.readText('.gitignore');
    if (gitignore === undefined) {
      this.createFile('.gitignore', `# ${GITIGNORE_COMMENT}\n${envDir}/*.env\n`);
    } else if (!gitignoreIgnores(gitignore, realFile)) {
      this.editFile('.gitignore', (text) => addGitignoreRule(text, `${envDir}/*.env`, GITIGNORE_COMMENT));
    }
    if (gitignoreIgnores(this.readText('.gitignore') ?? '', template)) {
      this.ctx.report.warnings.push(`.gitignore ignores ${template}: add \`!${envDir}/*.env.template\` so the template is committed`);
    }

    if (names.short !== names.snake) {
      const locations = model.locations.map((l) => l.names.snake).filter((snake) => snake !== names.snake);
      for (const file of model.conventions.files.aliasFiles) {
        const text = this.readText(file);
        // The aliases are optional CLI convenience: only files that hold a dict of them get one.
        if (text === undefined || !findAliasDict(text, [...locations, names.snake])) continue;
        this.editFile(file, (current) => addAlias(current, { locations: [...locations, names.snake], short: names.short, name: names.snake, file }));
      }
    }

    this.ctx.report.notes.push(`Put the real env file at ${DEPLOY_ENV_DIR}/${names.snake}.env on the shared volume, with a value for each variable of ${template}`);
  }

  install() {
    if (!this.options.verify) return;
    this.ctx.report.verification = runVerification({
      names: this.ctx.names,
      clickhouse: this.ctx.clickhouse,
      cwd: this.destinationRoot(),
      run: this.options.runCommand ?? spawnRunner,
      env: process.env,
      skipAll: this.dryRun ? 'dry run: nothing was written' : undefined,
      log: (line) => this.log(line),
    });
    // A failed check is the run's result too: CI must see it.
    if (this.ctx.report.verification.some((check) => check.status === 'failed')) process.exitCode = 1;
  }

  end() {
    this.printSummary();
  }

  /** The other env templates, the canonical location's first. */
  private _existingTemplates(envDir: string, own: string): Array<{ path: string; text: string }> {
    let entries: string[];
    try {
      entries = readdirSync(this.repoPath(envDir));
    } catch {
      entries = [];
    }
    const canonical = this.ctx.model.canonical && envTemplatePath(envDir, this.ctx.model.canonical.names.snake);
    return entries
      .filter((entry) => entry.endsWith('.env.template'))
      .map((entry) => `${envDir}/${entry}`)
      .filter((path) => path !== own)
      .sort((a, b) => Number(b === canonical) - Number(a === canonical) || a.localeCompare(b))
      .map((path) => ({ path, text: this.readText(path) ?? '' }));
  }

  private _sharedMember(): string {
    return this.ctx.model.members.find((m) => posix.basename(m) === 'shared') ?? 'src/shared';
  }
}
