/**
 * The command line, declared once: the sub-generators, their arguments and their options (name,
 * type, help, which generators take it). The bin's parser, `--help` (the bin's and `yo`'s) and
 * the generators' Yeoman option declarations all read this table, so a word is either in it and
 * means the same everywhere, or refused.
 *
 * Only Node's built-ins are imported here: `--help`, `--version` and a refused command line need
 * nothing else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_NAMES = ['app', 'package', 'clickhouse', 'docker', 'ci', 'env', 'doctor', 'remove', 'rename'] as const;
export type GeneratorName = (typeof GENERATOR_NAMES)[number];

/** Which arguments a generator takes on the command line. */
export type ArgumentShape = 'new-location' | 'existing-location' | 'rename' | 'none';

export interface ArgumentSpec {
  /** The option name the value reaches the generator under (Yeoman's argument name). */
  name: 'packageName' | 'shortName' | 'port' | 'newPackageName' | 'newShortName' | 'newPort';
  /** How usage lines show it. */
  label: string;
  help: string;
  required: boolean;
}

export interface OptionSpec {
  /** As typed, without the dashes: `dry-run`. */
  name: string;
  type: 'boolean' | 'string';
  /** Shown after a string option in help: `--description TEXT`. */
  value?: string;
  help: string;
  /** The generators that use it; any other refuses it. */
  generators: readonly GeneratorName[];
  /** `--no-<name>` is accepted too (booleans only). */
  negatable?: boolean;
  /** A one-letter alias: `-h`. */
  alias?: string;
}

export interface CommandSpec {
  name: GeneratorName;
  shape: ArgumentShape;
  /** One line, for the list of sub-generators. */
  summary: string;
  /** A paragraph, for the generator's own help. */
  description: string;
  examples: Array<[command: string, meaning: string]>;
}

const NEW_LOCATION: ArgumentSpec[] = [
  { name: 'packageName', label: '<package_name>', help: 'Python package name of the location, snake_case (e.g. network_analytics)', required: true },
  { name: 'shortName', label: '[short_name]', help: 'Short name for CLI convenience (default: the longest word of the package name)', required: false },
  { name: 'port', label: '[port]', help: 'gRPC code-server port (default: the next free one from 4002)', required: false },
];

export const ARGUMENTS: Record<ArgumentShape, ArgumentSpec[]> = {
  'new-location': NEW_LOCATION,
  'existing-location': [
    { name: 'packageName', label: '<location>', help: 'An existing location: its package name or short name (e.g. vanguard_wholesale)', required: true },
  ],
  rename: [
    { name: 'packageName', label: '<package_name>', help: 'The location to rename: its package name or short name', required: true },
    { name: 'newPackageName', label: '<new_package_name>', help: 'Its new package name, snake_case', required: true },
    { name: 'newShortName', label: '[new_short_name]', help: 'Its new short name (default: its own if it chose one, else the longest word of the new name)', required: false },
    { name: 'newPort', label: '[new_port]', help: 'Its new gRPC port (default: the port it has)', required: false },
  ],
  none: [],
};

const WRITERS = ['app', 'package', 'clickhouse', 'docker', 'ci', 'env', 'doctor', 'remove', 'rename'] as const;
const NEW_LOCATION_GENERATORS = ['app', 'package', 'docker', 'ci', 'env'] as const;

export const COMMANDS: Record<GeneratorName, CommandSpec> = {
  app: {
    name: 'app',
    shape: 'new-location',
    summary: 'A new code location: every phase of the guide (1-7), then uv lock and uv sync',
    description:
      'Adds a Dagster code location to this uv-workspace monorepo and registers it everywhere the guide lists (phases 1-7), then runs uv lock and uv sync --group dev. A location that exists already gets only its missing registrations.',
    examples: [
      ['dagster-location network_analytics analytics 4002', 'src/network_analytics/, Dockerfile.network.analytics, compose and Swarm services, workspace.yaml, docker-bake.hcl, bitbucket-pipelines.yml, the env template; short name "analytics"'],
      ['dagster-location network_analytics --clickhouse --dry-run', 'the same with the ClickHouse subpackage, as a patch on stdout; nothing is written'],
      ['dagster-location network_analytics --port 4003 --force --skip-install', 'in CI: no questions, no review, no uv; the default short name'],
    ],
  },
  package: {
    name: 'package',
    shape: 'new-location',
    summary: 'Phases 1-2: src/<name>/ and the root pyproject.toml',
    description:
      'Creates the package src/<name>/ (pyproject.toml, definitions.py, assets/) and registers it in the root pyproject.toml (workspace members, dependencies, uv sources, hatch packages), then runs uv lock and uv sync --group dev. Run on its own, it records the short name and port in the package\'s pyproject.toml ([tool.dagster-location]) so the later phases and doctor --fix use them.',
    examples: [['dagster-location package network_analytics analytics 4002', 'the package only; the other phases later']],
  },
  clickhouse: {
    name: 'clickhouse',
    shape: 'existing-location',
    summary: 'Phase 3: the clickhouse/ subpackage of an existing location',
    description:
      'Adds the ClickHouse subpackage (phase 3) to an existing code location: clickhouse/__init__.py, asset_registry.py (its assets listed), summary_views.py, the bootstrap image\'s COPY lines in Dockerfile.bootstrap, the location\'s clickhouse/ path in the bootstrap build\'s CI trigger, and the ClickHouse variables in its env template. It follows another location\'s clickhouse/ package, or the built-in templates over the shared.clickhouse API. A location that has ClickHouse already is left as is.',
    examples: [['dagster-location clickhouse vanguard_wholesale', 'ClickHouse for an existing location']],
  },
  docker: {
    name: 'docker',
    shape: 'new-location',
    summary: 'Phases 4-5: its Dockerfile, every Dockerfile\'s stub, compose and Swarm services',
    description:
      'Writes Dockerfile.<dotted.name> (the canonical location\'s, renamed), adds the member\'s pyproject.toml stub to every Dockerfile that runs uv sync --frozen, and adds the compose service (with the webserver\'s and daemon\'s depends_on) and the Swarm service. The package (phase 1) must exist first.',
    examples: [['dagster-location docker network_analytics', 'after dagster-location package network_analytics']],
  },
  ci: {
    name: 'ci',
    shape: 'new-location',
    summary: 'Phase 6: workspace.yaml, docker-bake.hcl, bitbucket-pipelines.yml',
    description:
      'Adds the grpc_server entry to workspace.yaml, the bake target (and its place in the default group) to docker-bake.hcl, and the build-push and deploy steps to bitbucket-pipelines.yml wherever the canonical location\'s are used.',
    examples: [['dagster-location ci network_analytics', 'phase 6 for a location whose package exists']],
  },
  env: {
    name: 'env',
    shape: 'new-location',
    summary: 'Phase 7: the env template, .gitignore, short-name aliases',
    description:
      'Writes environments/<name>.env.template, the .gitignore rule that keeps real env files out, and the short-name alias in the devtools scripts. With --verify, runs the guide\'s local verification commands and reports each.',
    examples: [['dagster-location env network_analytics --verify', 'phase 7, then the local checks']],
  },
  doctor: {
    name: 'doctor',
    shape: 'none',
    summary: 'Audit every location against the guide; --fix adds what is missing',
    description:
      'Audits every code location against the guide: registrations (workspace, Dockerfiles, compose, Swarm, gRPC workspace, bake, pipelines, env, aliases) and pitfalls (ports, pyproject stubs, dagster in ClickHouse modules, shared base_dir, bootstrap COPY lines). Exits 1 when anything is wrong. --fix adds the missing registrations (reviewed like any change), audits again and exits 1 only if problems remain; with --dry-run it prints the fix as a patch and exits 1 when there is something to fix.',
    examples: [
      ['dagster-location doctor', 'the table and every problem with its file:line'],
      ['dagster-location doctor --json', 'one object per finding, for CI'],
      ['dagster-location doctor --fix', 'add what is missing (reviewed), then audit again'],
    ],
  },
  remove: {
    name: 'remove',
    shape: 'existing-location',
    summary: 'Unregister a location everywhere; delete its package, Dockerfile and env template',
    description:
      'Removes a code location from every registry (root pyproject lists, every Dockerfile stub, compose service and depends_on, Swarm service, workspace entry, bake target, groups and variable, pipeline steps, references, custom pipeline and paths, aliases, ClickHouse COPY lines) and deletes src/<name>/, Dockerfile.<dotted.name> and its env template; then uv lock. The exact inverse of adding it. Refuses an incomplete footprint (see doctor) unless --force.',
    examples: [['dagster-location remove network_analytics --dry-run', 'the removal as a patch; nothing is written']],
  },
  rename: {
    name: 'rename',
    shape: 'rename',
    summary: 'Rename a location everywhere, move its files, rename its imports',
    description:
      'Renames a code location in every registry (every name variant, the port where a new one is given), moves src/<name>/, Dockerfile.<dotted.name> and the env template, and renames the imports inside the package; then uv lock. Renaming back gives the original bytes.',
    examples: [['dagster-location rename network_analytics traffic_analytics traffic 4003', 'new package, short name and port']],
  },
};

export const OPTIONS: OptionSpec[] = [
  { name: 'short-name', type: 'string', value: 'NAME', help: 'The short name, when not given as the second argument', generators: NEW_LOCATION_GENERATORS },
  { name: 'port', type: 'string', value: 'PORT', help: 'The gRPC port, when not given as the third argument', generators: NEW_LOCATION_GENERATORS },
  {
    name: 'description',
    type: 'string',
    value: 'TEXT',
    help:
      "One line about the location: its pyproject.toml description, and the prose of what is copied from the canonical location (a `<name> -- <prose>` comment, the bake image's description label); asked in a terminal, default: the package name in words (Network analytics)",
    generators: ['app', 'package'],
  },
  {
    name: 'clickhouse',
    type: 'boolean',
    negatable: true,
    help: 'Create the ClickHouse subpackage (phase 3); --no-clickhouse skips it without asking',
    generators: ['app'],
  },
  { name: 'dry-run', type: 'boolean', help: 'Print the whole change as a patch (git apply takes it) and write nothing', generators: WRITERS },
  { name: 'force', type: 'boolean', help: 'Apply the whole change without the review (needed without a terminal)', generators: WRITERS },
  { name: 'bail', type: 'boolean', help: 'Stop, writing nothing, at the first existing file that would change', generators: WRITERS },
  { name: 'skip-install', type: 'boolean', help: 'Do not run uv lock / uv sync --group dev', generators: ['app', 'package', 'doctor', 'remove', 'rename'] },
  {
    name: 'verify',
    type: 'boolean',
    help: 'After install, run the verification commands that work locally (uv tree, check-defs, pytest, bootstrap-clickhouse) and report each',
    generators: ['app', 'env'],
  },
  {
    name: 'interactive',
    type: 'boolean',
    negatable: true,
    help: 'Ask for missing values (default: only in a terminal); --no-interactive never asks',
    generators: WRITERS,
  },
  { name: 'json', type: 'boolean', help: 'Print the findings as JSON, one object per finding', generators: ['doctor'] },
  { name: 'fix', type: 'boolean', help: 'Add every missing registration (reviewed like any change), then audit again', generators: ['doctor'] },
  { name: 'help', type: 'boolean', alias: 'h', help: 'Print this help', generators: GENERATOR_NAMES },
];

/** `--version`: the bin's only, not a generator's. */
const VERSION_OPTION: OptionSpec = { name: 'version', type: 'boolean', alias: 'v', help: "Print the package's version", generators: [] };

export function optionsFor(generator: GeneratorName): OptionSpec[] {
  return OPTIONS.filter((o) => o.generators.includes(generator));
}

export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

// ---------------------------------------------------------------- parsing

/** A command line that is not in the table: exit 2, nothing run. */
export class CommandLineError extends Error {
  override name = 'CommandLineError';
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly generator: GeneratorName = 'app',
  ) {
    super(message);
  }
}

export type ParsedCommand =
  | { kind: 'help'; generator: GeneratorName }
  | { kind: 'version' }
  | { kind: 'run'; generator: GeneratorName; args: string[]; options: Record<string, string | boolean> };

/**
 * The bin's command line: an optional sub-generator, its positional arguments, its options.
 * `-h`/`--help` and `-v`/`--version` win over everything else; anything not declared for the
 * generator is a CommandLineError with a suggestion.
 */
export function parseCommandLine(argv: string[]): ParsedCommand {
  const rest = [...argv];
  let generator: GeneratorName = 'app';
  const explicit = rest[0] !== undefined && (GENERATOR_NAMES as readonly string[]).includes(rest[0]);
  if (explicit) generator = rest.shift() as GeneratorName;
  if (rest.some((w) => w === '-h' || w === '--help') && !afterDoubleDash(rest, '-h', '--help')) return { kind: 'help', generator };
  if (generator === 'app' && rest.some((w) => w === '-v' || w === '--version') && !afterDoubleDash(rest, '-v', '--version')) {
    return { kind: 'version' };
  }

  const declared = optionsFor(generator);
  const args: string[] = [];
  const options: Record<string, string | boolean> = {};
  const given = new Map<string, string>();
  while (rest.length > 0) {
    const word = rest.shift()!;
    if (word === '--') {
      args.push(...rest.splice(0));
      break;
    }
    if (word.startsWith('--') && word.length > 2) {
      const [written, inline] = word.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const negated = written.startsWith('no-') && !declared.some((o) => o.name === written);
      const name = negated ? written.slice(3) : written;
      const spec = declared.find((o) => o.name === name);
      if (!spec || (negated && !spec.negatable)) throw unknownOption(`--${written}`, generator);
      let value: string | boolean;
      if (spec.type === 'boolean') {
        if (inline !== undefined) throw new CommandLineError(`--${written} takes no value (got --${word.slice(2)}).`, generator);
        value = !negated;
      } else {
        const next = inline ?? rest.shift();
        if (next === undefined || (inline === undefined && next.startsWith('-') && next.length > 1)) {
          throw new CommandLineError(`--${name} needs a value: --${name} ${spec.value ?? 'VALUE'}`, generator);
        }
        value = next;
      }
      const previous = given.get(name);
      if (previous !== undefined && previous !== String(value)) {
        throw new CommandLineError(`--${name} is given twice (${previous} and ${String(value)}); give it once.`, generator);
      }
      given.set(name, String(value));
      options[camelCase(name)] = value;
    } else if (word.startsWith('-') && word.length > 1 && !/^-\d/.test(word)) {
      const letter = word.slice(1);
      const spec = declared.find((o) => o.alias === letter);
      if (!spec) throw unknownOption(word, generator);
      options[camelCase(spec.name)] = true;
    } else {
      args.push(word);
    }
  }

  const shape = COMMANDS[generator].shape;
  const positional = ARGUMENTS[shape];
  // `dagster-location app <name>` takes the name as written; without `app`, a near miss of a
  // sub-generator's name is a typo, not a new location.
  if (!explicit && args.length > 0) {
    const close = suggest(args[0], GENERATOR_NAMES.filter((g) => g !== 'app'));
    if (close) {
      const meant = ['dagster-location', close, ...args.slice(1)].join(' ');
      throw new CommandLineError(
        `"${args[0]}" is not a sub-generator. Did you mean \`${meant}\`?\n` +
          `To create a location named ${args[0]}, say so: dagster-location app ${args.join(' ')}`,
        generator,
      );
    }
  }
  if (args.length > positional.length) {
    const extra = args.slice(positional.length);
    throw new CommandLineError(
      positional.length === 0
        ? `${generator} takes no arguments (got ${extra.join(' ')}). Usage: ${usageLine(generator)}`
        : `Too many arguments (${extra.join(' ')} after ${positional.map((p) => p.label).join(' ')}). Usage: ${usageLine(generator)}`,
      generator,
    );
  }
  for (const [index, spec] of positional.entries()) {
    const value = args[index];
    const flag = spec.name === 'shortName' ? 'short-name' : spec.name === 'port' ? 'port' : undefined;
    if (value === undefined || !flag) continue;
    const option = options[camelCase(flag)];
    if (option !== undefined && option !== value) {
      throw new CommandLineError(`The ${spec.label} is given twice: ${value} as an argument and ${String(option)} as --${flag}; give it once.`, generator);
    }
  }
  return { kind: 'run', generator, args, options };
}

function afterDoubleDash(words: string[], ...flags: string[]): boolean {
  const end = words.indexOf('--');
  return end !== -1 && !words.slice(0, end).some((w) => flags.includes(w));
}

function unknownOption(written: string, generator: GeneratorName): CommandLineError {
  const declared = optionsFor(generator);
  const typed = written.replace(/^-+/, '').split('=')[0];
  const names = declared.flatMap((o) => (o.negatable ? [o.name, `no-${o.name}`] : [o.name]));
  let hint: string | undefined;
  if (!written.startsWith('--')) {
    const starting = declared.filter((o) => o.name.startsWith(typed));
    if (starting.length > 0) hint = `Did you mean ${starting.map((o) => `--${o.name}`).join(' or ')}?`;
  } else {
    const close = suggest(typed, names);
    if (close) hint = `Did you mean --${close}?`;
    else {
      const elsewhere = OPTIONS.find((o) => o.name === typed || (o.negatable && `no-${o.name}` === typed));
      if (elsewhere) {
        hint = `--${typed} is an option of ${elsewhere.generators.map((g) => (g === 'app' ? 'dagster-location' : `dagster-location ${g}`)).join(', ')}.`;
      }
    }
  }
  const known = `Options of ${commandWord(generator)}: ${declared.map((o) => `--${o.name}`).join(' ')}`;
  return new CommandLineError(`Unknown option ${written}.${hint ? ` ${hint}` : ''}\n${known}`, generator);
}

function commandWord(generator: GeneratorName): string {
  return generator === 'app' ? 'dagster-location' : `dagster-location ${generator}`;
}

/**
 * The closest candidate within a small edit distance (typos, not other words); between equally
 * close ones, the one that starts like the word (`docter` → doctor, not docker).
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  const limit = Math.max(1, Math.floor(typed.length / 3));
  const prefix = (candidate: string) => {
    let n = 0;
    while (n < typed.length && typed[n] === candidate[n]) n++;
    return n;
  };
  let best: { candidate: string; distance: number; prefix: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    if (distance > limit) continue;
    const shared = prefix(candidate);
    if (!best || distance < best.distance || (distance === best.distance && shared > best.prefix)) best = { candidate, distance, prefix: shared };
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

// ---------------------------------------------------------------- help and version

export function usageLine(generator: GeneratorName): string {
  const args = ARGUMENTS[COMMANDS[generator].shape].map((a) => a.label).join(' ');
  return `${commandWord(generator)} ${args} [options]`.replace(/ +/g, ' ');
}

/** The help of one generator (or, for `app`, of the whole command): the same under the bin and `yo`. */
export function formatHelp(generator: GeneratorName): string {
  const command = COMMANDS[generator];
  const suffix = generator === 'app' ? '' : `:${generator}`;
  const args = ARGUMENTS[command.shape];
  const lines: string[] = ['Usage:'];
  if (generator === 'app') lines.push(`  dagster-location [<sub-generator>] <arguments> [options]`);
  lines.push(`  ${usageLine(generator)}`, `  ${`yo dagster-location${suffix} ${args.map((a) => a.label).join(' ')} [options]`.replace(/ +/g, ' ')}`);
  lines.push('', ...wrap(command.description, 2));
  if (generator === 'app') {
    lines.push('', 'Sub-generators:');
    const width = Math.max(...GENERATOR_NAMES.map((g) => g.length));
    for (const name of GENERATOR_NAMES.filter((g) => g !== 'app')) lines.push(`  ${name.padEnd(width)}  ${COMMANDS[name].summary}`);
    lines.push(`  ${''.padEnd(width)}  (dagster-location <sub-generator> --help for its own arguments and options)`);
    // The bin's own word, not a generator: every run does it first anyway.
    lines.push('', 'Also:', '  dagster-location recover   put back the files of a run killed while writing, and nothing else');
  }
  if (args.length > 0) {
    lines.push('', 'Arguments:');
    const width = Math.max(...args.map((a) => a.label.length));
    for (const a of args) {
      const [head, ...more] = wrap(a.help, 0, 96 - width);
      lines.push(`  ${a.label.padEnd(width)}  ${head}`, ...more.map((line) => `  ${''.padEnd(width)}  ${line}`));
    }
  }
  const options = [...optionsFor(generator), ...(generator === 'app' ? [VERSION_OPTION] : [])];
  const written = options.map((o) => `${o.alias ? `-${o.alias}, ` : '    '}--${o.negatable ? `[no-]${o.name}` : o.name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...written.map((w) => w.length));
  lines.push('', 'Options:');
  for (const [i, o] of options.entries()) {
    const [head, ...more] = wrap(o.help, 0, 96 - width - 4);
    lines.push(`  ${written[i].padEnd(width)}  ${head}`, ...more.map((line) => `  ${''.padEnd(width)}  ${line}`));
  }
  lines.push('', 'Examples:');
  for (const [example, meaning] of command.examples) lines.push(`  ${example}`, ...wrap(meaning, 6));
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, indent: number, width = 98 - indent): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l);
}

/** The version in the package's package.json, found from this module (sources or dist/). */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'generator-dagster-location') return pkg.version ?? 'unknown';
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
