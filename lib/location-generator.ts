/**
 * The base of every generator in this package: arguments and options, finding the monorepo,
 * reading it once into the model, resolving the location's names (from flags, the model, or
 * prompts in a terminal), staging edits in the in-memory filesystem, the all-or-nothing commit
 * and the closing summary. Composed sub-generators receive the app's resolved context and do not
 * ask or read again.
 */
import { relative, resolve, sep } from 'node:path';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { commitAllOrNothing } from './commit.js';
import { EditError } from './editors/text.js';
import { diskLister, findLocation, findMonorepoRoot, nextFreePort, readMonorepo, type Location, type Monorepo } from './monorepo.js';
import { defaultShortName, locationNames, renamer, type LocationNames, type Renamer } from './naming.js';
import { registriesOf } from './registries/index.js';
import type { AddInput, LocationRef, Phase, Registry } from './registries/registry.js';
import { formatSummary, newReport, useColor, type CommandRunner, type Report } from './report.js';
import { checkPackageName, checkPort, checkShortName } from './validate.js';

export interface RunContext {
  model: Monorepo;
  names: LocationNames;
  port: number;
  description: string;
  clickhouse: boolean;
  /** The location already existed before this run (a re-run, or a sub-generator on its own). */
  existing?: Location;
  report: Report;
}

export type LocationOptions = BaseOptions & {
  packageName?: string;
  shortName?: string;
  port?: string | number;
  description?: string;
  clickhouse?: boolean;
  interactive?: boolean;
  dryRun?: boolean;
  force?: boolean;
  /** Set by the app generator when it composes a sub-generator. */
  context?: RunContext;
  /** Run the locally runnable verification commands after install (the env generator does). */
  verify?: boolean;
  /** How --verify runs a command (tests pass a fake); default: spawnSync without a shell. */
  runCommand?: CommandRunner;
};

/** Which arguments a generator takes on the command line. */
export type ArgumentShape = 'new-location' | 'existing-location' | 'none';

/** A user-facing error: printed without a stack trace, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export abstract class LocationGenerator extends Generator<Record<string, unknown>, LocationOptions> {
  declare ctx: RunContext;
  protected readonly shape: ArgumentShape;

  constructor(args: string[], options: LocationOptions, shape: ArgumentShape = 'new-location') {
    super(args, options);
    this.shape = shape;
    if (shape !== 'none') {
      this.argument('packageName', {
        type: String,
        required: false,
        description:
          shape === 'new-location'
            ? 'Python package name of the location, snake_case (e.g. network_analytics)'
            : 'An existing location: its package name or short name (e.g. vanguard_wholesale)',
      });
    }
    if (shape === 'new-location') {
      this.argument('shortName', { type: String, required: false, description: 'Short name for CLI convenience (default: the longest word of the package name)' });
      this.argument('port', { type: String, required: false, description: 'gRPC code-server port (default: the next free one from 4002)' });
      this.option('description', { type: String, description: 'One-line description for the package\'s pyproject.toml' });
    }
    // Yeoman's environment handles these; declared here so --help lists them under yo and the bin alike.
    this.option('force', { type: Boolean, description: 'Apply the whole change without the conflict review (needed without a terminal)' });
    this.option('dry-run', { type: Boolean, description: 'Print the full unified diff of the change and write nothing' });
    this.option('bail', { type: Boolean, description: 'Stop at the first file that would change (Yeoman conflicter)' });
    this.option('interactive', {
      type: Boolean,
      description: 'Ask for missing values (default: only when run in a terminal); --no-interactive never asks',
    });
    // The user-facing generator owns the commit; `uv`, not npm, installs (see the package phase).
    if (!options.context) this.setFeatures({ customCommitTask: () => this.commit(), customInstallTask: 'uv' as never });
  }

  /** True when prompts can be answered. */
  protected get interactive(): boolean {
    return this.options.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
  }

  protected get isComposed(): boolean {
    return this.options.context !== undefined;
  }

  // ---------------------------------------------------------------- model and context

  /** Find the monorepo root from where the command was run, and read it. */
  protected loadModel(): Monorepo {
    const start = this.env.cwd ?? process.cwd();
    const root = findMonorepoRoot(start);
    if (!root) {
      throw new UsageError(
        `No uv-workspace monorepo found at or above ${start}: run this inside the monorepo (its root pyproject.toml has [tool.uv.workspace]).`,
      );
    }
    this.destinationRoot(root);
    return readMonorepo(root, (path) => this.readText(path), diskLister(root));
  }

  /**
   * Resolve the location: composed generators take the app's context; on their own they read the
   * model, then take flags, then what the repo knows, then prompts (in a terminal) or defaults.
   */
  protected async resolveContext(options: { requireExisting: boolean; askClickhouse?: boolean }): Promise<RunContext> {
    if (this.options.context) {
      this.destinationRoot(this.options.context.model.root);
      return this.options.context;
    }
    const model = this.loadModel();
    const packageName = await this.askValue('packageName', {
      message: 'Package name of the code location (snake_case)',
      // An existing location (by package or short name) is valid as is: its name is already imported.
      validate: (value) => (findLocation(model, String(value)) ? undefined : checkPackageName(String(value), model)),
    });
    const existing = findLocation(model, packageName);
    if (options.requireExisting && !existing) {
      const known = model.locations.map((l) => l.names.snake).join(', ') || 'none';
      throw new UsageError(`There is no code location "${packageName}" in this monorepo (locations: ${known}).`);
    }
    const snake = existing?.names.snake ?? packageName;
    const nameError = existing ? undefined : checkPackageName(snake, model);
    if (nameError) throw new UsageError(nameError);
    const taken = model.locations.filter((l) => l.names.snake !== snake).map((l) => l.names.short);
    const short = await this.askValue('shortName', {
      message: 'Short name (workspace key, DAGSTER_BUILD_TAG_<UPPER>)',
      default: existing && existing.names.short !== existing.names.snake ? existing.names.short : defaultShortName(snake, taken),
      validate: (value) => checkShortName(String(value), snake, model),
    });
    const port = Number(
      await this.askValue('port', {
        message: 'gRPC code-server port',
        default: String(existing?.port ?? nextFreePort(model)),
        validate: (value) => checkPort(value, snake, model),
      }),
    );
    if (existing?.port !== undefined && existing.port !== port) {
      throw new UsageError(`${snake} already serves on port ${existing.port}; drop the port argument or pass ${existing.port}.`);
    }
    const clickhouse = options.askClickhouse ? await this.askClickhouse(existing) : Boolean(existing?.hasClickhouse);
    return {
      model,
      names: locationNames(snake, short),
      port,
      description: this.options.description ?? `Dagster code location ${snake}`,
      clickhouse,
      existing,
      report: newReport(),
    };
  }

  /** An argument's value: given, else asked (terminal), else its default, else an error. */
  private async askValue(
    name: 'packageName' | 'shortName' | 'port',
    question: { message: string; default?: string; validate: (value: unknown) => string | undefined },
  ): Promise<string> {
    const given = this.options[name];
    if (given !== undefined && given !== '') {
      const error = question.validate(given);
      if (error) throw new UsageError(error);
      return String(given);
    }
    if (!this.interactive) {
      if (question.default !== undefined) return question.default;
      throw new UsageError(`Missing ${flagName(name)}; there is no terminal to ask. Usage: ${this.usageLine()}`);
    }
    const answers = await this.prompt<Record<string, string>>([
      { type: 'input', name, message: question.message, default: question.default, validate: (v: unknown) => question.validate(v) ?? true },
    ]);
    return String(answers[name]).trim();
  }

  private async askClickhouse(existing?: Location): Promise<boolean> {
    if (this.options.clickhouse !== undefined) return this.options.clickhouse;
    if (existing) return existing.hasClickhouse;
    if (!this.interactive) return false;
    const answers = await this.prompt<{ clickhouse: boolean }>([
      { type: 'confirm', name: 'clickhouse', message: 'Does it produce Parquet assets queryable via ClickHouse?', default: false },
    ]);
    return answers.clickhouse;
  }

  /** Help's usage line: both ways in, without Yeoman's internal `app` namespace. */
  override usage(): string {
    const sub = this.options.namespace?.split(':')[1];
    const suffix = sub && sub !== 'app' ? sub : '';
    const args = this.shape === 'new-location' ? '<package_name> [short_name] [port]' : this.shape === 'existing-location' ? '<location>' : '';
    const text = [`dagster-location ${suffix} ${args} [options]`, `yo dagster-location${suffix ? `:${suffix}` : ''} ${args} [options]`]
      .map((line) => line.replace(/ +/g, ' '))
      .join('\n  ');
    return this.description ? `${text}\n\n${this.description}` : text;
  }

  protected usageLine(): string {
    const sub = this.options.namespace?.split(':')[1];
    const command = sub && sub !== 'app' ? `dagster-location ${sub}` : 'dagster-location';
    return this.shape === 'new-location' ? `${command} <package_name> [short_name] [port]` : `${command} <location>`;
  }

  // ---------------------------------------------------------------- staging edits

  /** A file's current text: staged if an earlier phase changed it, else the disk's. */
  protected readText(path: string): string | undefined {
    const full = this.repoPath(path);
    return this.fs.exists(full) ? this.fs.read(full) ?? undefined : undefined;
  }

  /** Stage a new file (never overwrites one that exists). */
  protected createFile(path: string, text: string): void {
    if (this.readText(path) !== undefined) return;
    this.fs.write(this.repoPath(path), text);
    this.ctx.report.created.add(path);
  }

  /**
   * Stage an edit of an existing file: `change` gets the current text and returns the new one.
   * A missing file is skipped with a warning when `optional`, an error otherwise.
   */
  protected editFile(path: string, change: (text: string) => string, options: { optional?: string } = {}): void {
    const text = this.readText(path);
    if (text === undefined) {
      if (options.optional !== undefined) {
        this.ctx.report.warnings.push(`${path} not found: ${options.optional}`);
        return;
      }
      throw new EditError('file not found', path);
    }
    let result: string;
    try {
      result = change(text);
    } catch (error) {
      if (error instanceof EditError && !error.file) throw new EditError(error.message.replace(/^: /, ''), path, error.line);
      throw error;
    }
    if (result !== text) {
      this.fs.write(this.repoPath(path), result);
      this.ctx.report.changed.add(path);
    }
  }

  /** The registries' view of this run: the model, the staged texts, the location and the one it copies. */
  protected registryInput(): AddInput & { list: (dir: string) => string[] } {
    const { model, names, port, clickhouse, description } = this.ctx;
    const target: LocationRef = { names, port, hasClickhouse: clickhouse };
    const others = model.locations.filter((l) => l.names.snake !== names.snake);
    const source =
      others.find((l) => l.names.snake === model.canonical?.names.snake) ??
      others.at(-1) ??
      // No location to copy: the target stands in for itself, and each registry falls back.
      { names, member: names.packageDir, port, hasClickhouse: clickhouse };
    return { model, read: (path) => this.readText(path), list: diskLister(this.destinationRoot()), target, source, description, clickhouse };
  }

  /**
   * Apply the registries of a phase for this run's location: each file's staged text through the
   * registry's add, the result staged (created or changed), its warnings and left-out
   * particulars recorded in the report. A conflict stops the run before anything is written.
   */
  protected _applyRegistries(phase: Phase, only: (registry: Registry) => boolean = () => true): void {
    const input = this.registryInput();
    for (const registry of registriesOf(phase).filter(only)) {
      for (const file of registry.files(input, input.target)) {
        const before = this.readText(file);
        let result;
        try {
          result = registry.add(before, file, input);
        } catch (error) {
          if (error instanceof EditError && !error.file) throw new EditError(error.message.replace(/^: /, ''), file, error.line);
          throw error;
        }
        this.ctx.report.warnings.push(...result.warnings.filter((w) => !this.ctx.report.warnings.includes(w)));
        this.ctx.report.leftOut.push(...result.leftOut);
        const noFile = result.noFile || (before === undefined && result.text === '' && result.warnings.length > 0);
        if (noFile || result.text === before) continue;
        this.fs.write(this.repoPath(file), result.text);
        (before === undefined ? this.ctx.report.created : this.ctx.report.changed).add(file);
      }
    }
  }

  /** An absolute path inside the monorepo; anything escaping the root is refused. */
  protected repoPath(path: string): string {
    const root = this.destinationRoot();
    const full = resolve(root, path);
    if (full !== root && !full.startsWith(root + sep)) throw new UsageError(`Refusing a path outside the monorepo: ${path}`);
    return full;
  }

  /** Rename map from the canonical location to this one (names and port). */
  protected canonicalRenamer(): Renamer | undefined {
    const canonical = this.ctx.model.canonical;
    if (!canonical || canonical.names.snake === this.ctx.names.snake) return undefined;
    return renamer(canonical.names, this.ctx.names, canonical.port !== undefined ? { from: canonical.port, to: this.ctx.port } : undefined);
  }

  // ---------------------------------------------------------------- commit and summary

  private async commit(): Promise<void> {
    const env = this.env as unknown as Parameters<typeof commitAllOrNothing>[0];
    await commitAllOrNothing(env, {
      force: Boolean(this.options.force ?? env.conflicterOptions?.force),
      dryRun: Boolean(this.options.dryRun ?? env.conflicterOptions?.dryRun),
      interactive: this.interactive,
      root: this.destinationRoot(),
      print: (text) => process.stdout.write(text),
    });
  }

  protected get dryRun(): boolean {
    const env = this.env as unknown as { conflicterOptions?: { dryRun?: boolean } };
    return Boolean(this.options.dryRun ?? env.conflicterOptions?.dryRun);
  }

  /** Print the summary once, from the generator the user ran. */
  protected printSummary(): void {
    if (this.isComposed || !this.ctx) return;
    const color = useColor(process.stdout);
    // The summary is the run's result, so it goes to stdout (Yeoman's own log goes to stderr).
    process.stdout.write(
      formatSummary({ report: this.ctx.report, names: this.ctx.names, clickhouse: this.ctx.clickhouse, dryRun: this.dryRun, color }),
    );
  }

  protected relative(path: string): string {
    return relative(this.destinationRoot(), path);
  }
}

function flagName(name: string): string {
  return { packageName: '<package_name>', shortName: '[short_name]', port: '[port]' }[name] ?? name;
}
