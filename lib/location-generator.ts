/**
 * The base of every generator in this package: arguments and options, finding the monorepo,
 * reading it once into the model, resolving the location's names (from flags, the model, or
 * prompts in a terminal), staging edits in the in-memory filesystem, the all-or-nothing commit
 * and the closing summary. Composed sub-generators receive the app's resolved context and do not
 * ask or read again.
 */
import { relative, resolve, sep } from 'node:path';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { isFilePending } from 'mem-fs-editor/state';
import { beginRun, endRun, runFiles } from './durable.js';
import { ARGUMENTS, COMMANDS, formatHelp, optionsFor, usageLine, type ArgumentShape, type GeneratorName } from './commands.js';
import { commitAllOrNothing, noteAnnounced, yoResolveRules } from './commit.js';
import { CONFIG_KEY } from './conventions.js';
import { EditError } from './editors/text.js';
import { diskLister, findLocation, findMonorepoRoot, nextFreePort, readMonorepo, yoResolveFolders, type Location, type Monorepo } from './monorepo.js';
import { defaultShortName, locationNames, nameInWords, renamer, type LocationNames, type Renamer } from './naming.js';
import { BOM, linkEscape, type RepoFiles } from './repo-files.js';
import { registriesOf } from './registries/index.js';
import type { AddInput, LocationRef, Phase, Registry } from './registries/registry.js';
import { formatSummary, newReport, useColor, type CommandRunner, type Report } from './report.js';
import { checkDescription, checkPackageName, checkPort, checkShortName } from './validate.js';

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

export type { ArgumentShape };

/** A user-facing error: printed without a stack trace, exit code 1 (or the one it carries). */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** For `yo`, which exits with an error's `code`. */
    readonly code?: number,
  ) {
    super(message);
  }

  get exitCode(): number | undefined {
    return this.code;
  }
}

/** Yeoman's own options that do nothing here: not shown in help. */
const YEOMAN_OPTIONS = ['help', 'skip-cache', 'skip-install', 'force-install', 'ask-answered'];

export abstract class LocationGenerator extends Generator<Record<string, unknown>, LocationOptions> {
  declare ctx: RunContext;
  protected readonly shape: ArgumentShape;
  /** Which command of the table (lib/commands.ts) this generator is. */
  protected readonly command: GeneratorName;

  constructor(args: string[], options: LocationOptions, command: GeneratorName) {
    super(args, options);
    this.command = command;
    this.shape = COMMANDS[command].shape;
    const declared = ARGUMENTS[this.shape];
    for (const spec of declared) this.argument(spec.name, { type: String, required: false, description: spec.help });
    const own = optionsFor(command);
    for (const name of YEOMAN_OPTIONS) {
      const yeoman = (this as unknown as { _options: Record<string, { hide?: boolean }> })._options[name];
      if (yeoman && !own.some((o) => o.name === name)) yeoman.hide = true;
    }
    for (const spec of own) {
      this.option(spec.name, { type: spec.type === 'boolean' ? Boolean : String, description: spec.help, ...(spec.alias ? { alias: spec.alias } : {}) });
    }
    if (!options.context && !options.help && args.length > declared.length) {
      const extra = args.slice(declared.length).join(' ');
      throw new UsageError(
        declared.length === 0 ? `${command} takes no arguments (got ${extra}). Usage: ${usageLine(command)}` : `Too many arguments (${extra}). Usage: ${usageLine(command)}`,
        2,
      );
    }
    // Yeoman logs "An error occured while running <namespace>#<task>" before the error itself;
    // the namespace is its own (derived from where the package is installed): the error says enough.
    const log = this.log;
    if (log) (this as { log: typeof log }).log = new Proxy(log, {
      get: (target, key, receiver) =>
        key === 'error'
          ? (...parts: unknown[]) => (/^An error occured while running /.test(String(parts[0])) ? target : target.error(...(parts as [string])))
          : Reflect.get(target, key, receiver),
    });
    // The user-facing generator owns the commit; `uv`, not npm, installs (see the package phase).
    if (!options.context) this.setFeatures({ customCommitTask: () => this.commit(), customInstallTask: 'uv' as never });
  }

  /** Help from the declared table: the same text as `dagster-location [<sub>] --help`. */
  override help(): string {
    return formatHelp(this.command);
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
    // One run at a time, from reading to writing; a change a killed run left half-made is put back first.
    beginRun(this.env, this.destinationRoot());
    const model = readMonorepo(root, (path) => this.readText(path), diskLister(root));
    if (!this.isComposed) this._announceYoResolve(model);
    return model;
  }

  /**
   * The `.yo-resolve` rules that may decide this run's files (at the root, above it, and in the
   * members' folders), said before anything is asked; the review names any other it meets.
   */
  private _announceYoResolve(model: Monorepo): void {
    const folders = yoResolveFolders(model);
    const rules = yoResolveRules(folders, model.root);
    if (rules.length === 0) return;
    noteAnnounced(rules);
    this.log(`.yo-resolve rules in effect (a file they skip is not written, even with --force):\n${rules.map((r) => `  ${r}`).join('\n')}`);
  }

  /** A canonical location named in .yo-rc.json that is not a location: say so, with the line. */
  protected checkCanonical(model: Monorepo): void {
    const text = this.readText('.yo-rc.json');
    if (model.canonical || !text) return;
    let named: unknown;
    try {
      named = (JSON.parse(text) as Record<string, { canonical?: unknown }>)[CONFIG_KEY]?.canonical;
    } catch {
      return;
    }
    if (named === undefined) return;
    const index = text.search(/"canonical"\s*:/);
    const line = index === -1 ? undefined : text.slice(0, index).split('\n').length;
    const known = model.locations.map((l) => l.names.snake).join(', ') || 'none';
    throw new UsageError(
      `.yo-rc.json${line ? `:${line}` : ''}: "canonical": ${JSON.stringify(named)} names no code location of this monorepo (locations: ${known}). ` +
        'Name the location new ones should copy, or remove the setting to use the built-in templates. Nothing was written.',
    );
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
    this.checkCanonical(model);
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
    const description = await this.askDescription(snake, existing);
    const clickhouse = options.askClickhouse ? await this.askClickhouse(existing) : Boolean(existing?.hasClickhouse);
    return {
      model,
      names: locationNames(snake, short),
      port,
      description,
      clickhouse,
      existing,
      report: newReport(),
    };
  }

  /**
   * The location's one-line description, the prose of its pyproject.toml and of its registrations'
   * comments and labels: `--description`, else an existing location's own, else asked (in a
   * terminal, by the generators that create the package), else the package name in words.
   */
  private async askDescription(snake: string, existing?: Location): Promise<string> {
    const createsPackage = !existing && optionsFor(this.command).some((option) => option.name === 'description');
    return this.askValue('description', {
      message: 'One-line description (pyproject.toml, comments and labels)',
      default: existing?.description ?? nameInWords(snake),
      validate: (value) => checkDescription(String(value)),
      ask: createsPackage,
    });
  }

  /** An argument's value: given, else asked (terminal), else its default, else an error. */
  private async askValue(
    name: 'packageName' | 'shortName' | 'port' | 'description',
    question: { message: string; default?: string; validate: (value: unknown) => string | undefined; ask?: boolean },
  ): Promise<string> {
    const given = this.options[name];
    if (given !== undefined && given !== '') {
      const error = question.validate(given);
      if (error) throw new UsageError(error);
      return String(given);
    }
    if (!this.interactive || question.ask === false) {
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

  /** Help's usage line: both ways in, without Yeoman's internal namespace. */
  override usage(): string {
    const bin = usageLine(this.command);
    return `${bin}\n  ${bin.replace(/^dagster-location( \w+)?/, (_m, sub?: string) => `yo dagster-location${sub ? `:${sub.trim()}` : ''}`)}`;
  }

  protected usageLine(): string {
    return usageLine(this.command).replace(/ \[options\]$/, '');
  }

  // ---------------------------------------------------------------- staging edits

  /**
   * A file's current text: staged if an earlier phase changed it, else the disk's as the run
   * first read it (kept for the check before writing). Never with its byte-order mark (put back
   * on write); a file that is not UTF-8 is refused with file:line.
   */
  protected readText(path: string): string | undefined {
    const full = this.repoPath(path);
    const store = this.fs.store;
    if (store.existsInMemory(full)) {
      const file = store.get(full);
      if (isFilePending(file as never)) return file.contents ? stripBom(file.contents.toString()) : undefined;
    }
    const files = this.repoFiles();
    if (files) return files.read(full).text;
    return this.fs.exists(full) ? stripBom(this.fs.read(full) ?? '') : undefined;
  }

  /** The run's record of first reads (undefined before the model is read). */
  private repoFiles(): RepoFiles | undefined {
    return runFiles(this.env);
  }

  /** Refuse to stage a write that would go through a link out of the monorepo (or a dangling one). */
  private checkContained(path: string, verb: string): string {
    const full = this.repoPath(path);
    const escape = linkEscape(this.destinationRoot(), full, verb);
    if (escape) throw new UsageError(`${escape}\nNothing was written.`);
    return full;
  }

  /** Stage a new file (never overwrites one that exists). */
  protected createFile(path: string, text: string): void {
    if (this.readText(path) !== undefined) return;
    this.fs.write(this.checkContained(path, 'create'), text);
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
    const result = this.withFile(path, () => change(text));
    if (result !== text) {
      const full = this.checkContained(path, 'edit');
      this.fs.write(full, this.repoFiles()?.hasBom(full) ? BOM + result : result);
      this.ctx.report.changed.add(path);
    }
  }

  /** Run an edit of `path`; an editor's error that names no file is given this one. */
  private withFile<T>(path: string, edit: () => T): T {
    try {
      return edit();
    } catch (error) {
      if (error instanceof EditError && !error.file) throw new EditError(error.message.replace(/^: /, ''), path, error.line);
      throw error;
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
    return { model, read: (path) => this.readText(path), list: diskLister(this.destinationRoot()), target, source, description, clickhouse, standalone: !this.isComposed };
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
        let result: ReturnType<Registry['add']> | undefined;
        const add = (text: string | undefined) => {
          result = registry.add(text, file, input);
          this.ctx.report.warnings.push(...result.warnings.filter((w) => !this.ctx.report.warnings.includes(w)));
          this.ctx.report.leftOut.push(...result.leftOut);
          return result.text;
        };
        // Staged like every other edit: links out of the repo refused, a BOM kept, errors named by file.
        if (before !== undefined) {
          this.editFile(file, add);
          continue;
        }
        const text = this.withFile(file, () => add(undefined));
        const noFile = result!.noFile || (text === '' && result!.warnings.length > 0);
        if (!noFile) this.createFile(file, text);
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

  /** The report the commit's outcome goes into: the run's (the doctor keeps its own). */
  protected get commitReport(): Report | undefined {
    return this.ctx?.report;
  }

  private async commit(): Promise<void> {
    const env = this.env as unknown as Parameters<typeof commitAllOrNothing>[0];
    const files = this.repoFiles();
    const root = this.destinationRoot();
    const report = this.commitReport;
    const result = await commitAllOrNothing(env, {
      force: Boolean(this.options.force ?? env.conflicterOptions?.force),
      dryRun: Boolean(this.options.dryRun ?? env.conflicterOptions?.dryRun),
      interactive: this.interactive,
      root,
      order: [...(report?.staged ?? [])].map((path) => resolve(root, path)),
      // The patch is the run's result: stdout. Everything else (the summary too) goes to stderr.
      print: (text) => process.stdout.write(text),
      log: (line) => this.log(line),
      expected: files && ((path) => files.expected(path)),
    });
    // What is read from here on (the doctor's audit of the result) is the new disk.
    files?.forget();
    endRun(this.destinationRoot());
    const rel = (paths: string[]) => paths.map((path) => relative(root, path).split(sep).join('/'));
    if (report) {
      report.outcome = {
        created: rel(result.created),
        changed: rel(result.changed),
        deleted: rel(result.deleted),
        skipped: result.skipped.map((s) => ({ path: rel([s.path])[0], reason: s.reason })),
        unchanged: rel(result.unchanged),
        dryRun: result.dryRun,
      };
    }
  }

  protected get dryRun(): boolean {
    const env = this.env as unknown as { conflicterOptions?: { dryRun?: boolean } };
    return Boolean(this.options.dryRun ?? env.conflicterOptions?.dryRun);
  }

  /** Print the summary once, from the generator the user ran. */
  protected printSummary(): void {
    if (this.isComposed || !this.ctx) return;
    // The summary is the run's result, so it goes to stdout (Yeoman's own log goes to stderr);
    // in a dry run the patch is the result and the summary joins the log on stderr.
    const stream = this.dryRun ? process.stderr : process.stdout;
    stream.write(
      formatSummary({ report: this.ctx.report, names: this.ctx.names, clickhouse: this.ctx.clickhouse, dryRun: this.dryRun, color: useColor(stream), existing: Boolean(this.ctx.existing) }),
    );
  }

  protected relative(path: string): string {
    return relative(this.destinationRoot(), path);
  }
}

function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

function flagName(name: string): string {
  return { packageName: '<package_name>', shortName: '[short_name]', port: '[port]' }[name] ?? name;
}
