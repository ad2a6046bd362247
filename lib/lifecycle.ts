/**
 * Removing and renaming a location, planned as data before anything is staged: which files every
 * registry changes (its `remove`, or its footprint renamed), which files and folders are deleted
 * or moved (the package folder, `Dockerfile.<dotted>`, the env template), and what is left for a
 * person. The plan is checked before it is handed to the generator: the refusals (unknown
 * location, the configured canonical, collisions, an incomplete footprint) come first, and the
 * result, read back as a monorepo, must audit as cleanly as the repo did before.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { Chalk } from 'chalk';
import type { MemFsEditor } from 'mem-fs-editor';
import { join, posix, relative, sep } from 'node:path';
import { auditMonorepo, type Problem } from './audit.js';
import { CONFIG_KEY, DEFAULT_CONVENTIONS } from './conventions.js';
import { EditError, lineNumber } from './editors/text.js';
import { UsageError } from './location-generator.js';
import { lockPath } from './lock.js';
import { findLocation, readMonorepo, type Lister, type Location, type Monorepo, type Reader } from './monorepo.js';
import { defaultShortName, escapeRegExp, locationNames, type LocationNames } from './naming.js';
import { REGISTRIES } from './registries/index.js';
import { mentionPattern, renameMentions } from './registries/mentions.js';
import { footprintSpans, renameInRegistry } from './registries/rename.js';
import type { LocationRef, RegistryInput } from './registries/registry.js';
import type { Report } from './report.js';
import { checkPackageName, checkPort, checkShortName } from './validate.js';

/** Where the guide's deployment keeps env files and each location's data (the shared volume). */
export const SHARED_DATA = '/opt/dagster/shared-data';

/** Folders never searched for left-over mentions. */
const SKIPPED_DIRS = new Set(['.git', '.venv', 'venv', 'node_modules', '__pycache__', 'dist', 'build', '.mypy_cache', '.ruff_cache', '.pytest_cache']);

/**
 * The change as it will be staged: new contents by path and deletions, over the files on disk.
 * `read` and `list` see the change, so the result can be read back as a monorepo and audited.
 */
export class Stage {
  readonly writes = new Map<string, Buffer>();
  readonly deletes = new Set<string>();
  /** Folders whose every file is deleted. */
  readonly deletedDirs = new Set<string>();
  /** File modes carried over by moves. */
  readonly modes = new Map<string, number>();

  constructor(readonly root: string) {}

  readonly read: Reader = (path) => {
    const written = this.writes.get(path);
    if (written) return written.toString('utf8');
    if (this.deletes.has(path) || this.inDeletedDir(path)) return undefined;
    return readDisk(this.root, path);
  };

  readonly list: Lister = (dir) => {
    const entries = new Set(diskEntries(this.root, dir).filter((e) => !this.deletes.has(posix.join(dir, e)) && !this.deletedDirs.has(posix.join(dir, e))));
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const path of this.writes.keys()) if (path.startsWith(prefix)) entries.add(path.slice(prefix.length).split('/')[0]);
    return [...entries].sort();
  };

  write(path: string, contents: string | Buffer): void {
    this.deletes.delete(path);
    this.writes.set(path, Buffer.isBuffer(contents) ? contents : Buffer.from(contents, 'utf8'));
  }

  delete(path: string): void {
    this.writes.delete(path);
    if (readDisk(this.root, path) !== undefined) this.deletes.add(path);
  }

  /** Every file under `dir` deleted (and the folder with them). */
  deleteDir(dir: string): void {
    for (const file of walkFiles(this.root, dir)) this.delete(file);
    this.deletedDirs.add(dir);
  }

  private inDeletedDir(path: string): boolean {
    for (const dir of this.deletedDirs) if (path.startsWith(`${dir}/`) && !this.writes.has(path)) return true;
    return false;
  }
}

export interface Plan {
  stage: Stage;
  location: Location;
  /** The location after a rename. */
  renamed?: { names: LocationNames; port?: number };
  moves: Array<{ from: string; to: string }>;
  /** Mentions left where no registry owns them, and what --force let through: check by hand. */
  warnings: string[];
  /** What is left for a person: outside the repo, or the team's to decide. */
  checklist: string[];
}

export interface PlanInput {
  model: Monorepo;
  root: string;
  /** The location: package name or short name. */
  name: string | undefined;
  /** Remove or rename what exists although the footprint is incomplete (and report the rest). */
  force: boolean;
}

// ------------------------------------------------------------------------------ refusals

/** The location named on the command line, by package or short name; refused when unknown. */
export function existingLocation(model: Monorepo, name: string | undefined, usage: string): Location {
  if (!name) throw new UsageError(`Missing <location>. Usage: ${usage}`);
  const location = findLocation(model, name);
  if (!location) {
    const known = model.locations.map((l) => l.names.snake).join(', ') || 'none';
    throw new UsageError(`There is no code location "${name}" in this monorepo (locations: ${known}).`);
  }
  return location;
}

export const refOf = (location: Location): LocationRef => ({ names: location.names, port: location.port, hasClickhouse: location.hasClickhouse });

/** The doctor's findings that concern the location (by its field, or naming it in their text). */
function problemsOf(problems: readonly Problem[], location: Location): Problem[] {
  const named = new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(location.names.snake)}(?![A-Za-z0-9_])`);
  return problems.filter((p) => p.location === location.names.snake || (p.location === undefined && named.test(p.problem)));
}

const formatProblem = (p: Problem) => `  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}`;

/** An incomplete or inconsistent footprint is refused (unless forced: then reported). */
function checkFootprint(model: Monorepo, stage: Stage, location: Location, force: boolean, verb: string, warnings: string[]): Problem[] {
  const before = auditMonorepo(model, stage.read, stage.list).problems;
  const own = problemsOf(before, location);
  if (own.length === 0) return before;
  if (!force) {
    throw new UsageError(
      `${location.names.snake}'s footprint is incomplete or inconsistent, so ${verb} it could not be exact:\n${own.map(formatProblem).join('\n')}\n` +
        `Run \`dagster-location doctor\` to see every finding (and \`dagster-location doctor --fix\` to complete the location), ` +
        `or pass --force to ${verb === 'removing' ? 'remove' : 'rename'} what exists and have the rest reported. Nothing was written.`,
    );
  }
  warnings.push(...own.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem} (found before the ${verb === 'removing' ? 'removal' : 'rename'}; --force went on)`));
  return before;
}

/**
 * The change read back as a monorepo must audit as the repo did: a finding that was not there
 * before means a registry's edit was not the exact inverse, so nothing is written.
 */
function checkResult(stage: Stage, before: readonly Problem[], force: boolean, warnings: string[]): Monorepo {
  const model = readMonorepo(stage.root, stage.read, stage.list);
  const after = auditMonorepo(model, stage.read, stage.list).problems;
  const known = new Set(before.map((p) => `${p.file}|${p.problem}`));
  const fresh = after.filter((p) => !known.has(`${p.file}|${p.problem}`));
  if (fresh.length === 0) return model;
  if (!force) {
    throw new UsageError(`The result would not pass the doctor:\n${fresh.map(formatProblem).join('\n')}\nNothing was written; run with --force to apply it anyway and fix these by hand.`);
  }
  warnings.push(...fresh.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem} (the doctor will report it)`));
  return model;
}

// ------------------------------------------------------------------------------ remove

/** Removing a location: every registry's remove, then its folder, Dockerfile and env template deleted. */
export function planRemove(input: PlanInput): Plan {
  const { model, root, force } = input;
  const location = existingLocation(model, input.name, 'dagster-location remove <location>');
  if (location.names.snake === model.conventions.canonical) {
    const other = model.locations.find((l) => l.names.snake !== location.names.snake)?.names.snake ?? '<another location>';
    throw new UsageError(
      `${location.names.snake} is the canonical location: every new location copies its files. Choose another one first, in .yo-rc.json:\n` +
        `  { "${CONFIG_KEY}": { "canonical": "${other}" } }\nthen run the remove again. Nothing was written.`,
    );
  }
  const stage = new Stage(root);
  const warnings: string[] = [];
  const before = checkFootprint(model, stage, location, force, 'removing', warnings);
  const ref = refOf(location);
  const registryInput: RegistryInput & { list: Lister } = { model, read: stage.read, list: stage.list };
  const own = ownFiles(model, location);
  for (const registry of REGISTRIES) {
    if (registry.id === 'package') continue; // the whole folder goes below
    for (const file of registry.files(registryInput, ref)) {
      const text = stage.read(file);
      if (text === undefined) continue;
      const result = atFile(file, () => registry.remove(text, file, ref, registryInput));
      if (result === undefined) stage.delete(file);
      else if (result !== text) stage.write(file, result);
    }
  }
  stage.deleteDir(location.member);
  for (const file of [own.dockerfile, own.envTemplate]) stage.delete(file);
  checkResult(stage, before, force, warnings);
  warnings.push(...leftMentions(stage, location, namesAndVariables(location.names)));
  return { stage, location, moves: [], warnings, checklist: removeChecklist(model, location) };
}

function removeChecklist(model: Monorepo, location: Location): string[] {
  const { names } = location;
  const list = [
    `Bitbucket: delete the repository variable ${names.serviceImageVariable} and the pipeline variable ${names.buildTagVariable}`,
    `Docker Swarm: after deploying the stack without it, \`docker service rm <stack>_${names.service}\` (the stack's name is not in this repo: use yours)`,
    `Shared volume: delete the real env file ${SHARED_DATA}/${model.conventions.files.environments}/${names.snake}.env (it holds the location's secrets)`,
    `Shared volume: archive or delete the location's data under ${SHARED_DATA}/${names.snake}`,
  ];
  if (location.hasClickhouse) list.push(`ClickHouse: drop the database (\`DROP DATABASE ${names.database}\`) once nothing reads its views`);
  list.push(`Dagster: the materialisations of ${names.snake}'s assets stay in the instance's storage; keeping, wiping or migrating them is the team's decision`);
  return list;
}

// ------------------------------------------------------------------------------ rename

export interface RenameInput extends PlanInput {
  newName: string | undefined;
  newShort?: string;
  newPort?: string | number;
}

/** Renaming a location: every registry's footprint renamed, its files moved, imports inside its package renamed. */
export function planRename(input: RenameInput): Plan {
  const { model, root, force } = input;
  const usage = 'dagster-location rename <package_name> <new_package_name> [new_short_name] [new_port]';
  const location = existingLocation(model, input.name, usage);
  if (!input.newName) throw new UsageError(`Missing <new_package_name>. Usage: ${usage}`);
  const to = renameTarget(model, location, input);
  const from = refOf(location);
  const stage = new Stage(root);
  const warnings: string[] = [];
  const before = checkFootprint(model, stage, location, force, 'renaming', warnings);
  const registryInput: RegistryInput & { list: Lister } = { model, read: stage.read, list: stage.list };
  const oldFiles = ownFiles(model, location);
  const newMember = posix.join(posix.dirname(location.member), to.names.snake);
  const newFiles = { dockerfile: to.names.dockerfile, envTemplate: posix.join(model.conventions.files.environments, `${to.names.snake}.env.template`) };
  checkFreePaths(root, [newMember, newFiles.dockerfile, newFiles.envTemplate]);

  // What is renamed where: the registries' footprints, the location's own files whole.
  const edits = new Map<string, string>();
  const moved = new Set([oldFiles.dockerfile, oldFiles.envTemplate]);
  for (const registry of REGISTRIES) {
    if (registry.id === 'package') continue;
    for (const file of registry.files(registryInput, from)) {
      if (moved.has(file)) continue;
      const text = edits.get(file) ?? stage.read(file);
      if (text === undefined) continue;
      checkUnmentioned(file, text, footprintSpans(registry, text, file, from, registryInput), from, to);
      edits.set(file, atFile(file, () => renameInRegistry(registry, text, file, from, to, registryInput)));
    }
  }
  for (const [file, text] of edits) if (text !== stage.read(file)) stage.write(file, text);

  const moves: Plan['moves'] = [];
  for (const [oldPath, newPath] of [[oldFiles.dockerfile, newFiles.dockerfile], [oldFiles.envTemplate, newFiles.envTemplate]] as const) {
    const text = stage.read(oldPath);
    if (text === undefined) continue;
    checkUnmentioned(oldPath, text, [{ start: 0, end: text.length }], from, to);
    stage.write(newPath, renameMentions(text, from, to));
    stage.modes.set(newPath, statSync(join(root, oldPath)).mode);
    stage.delete(oldPath);
    moves.push({ from: oldPath, to: newPath });
  }
  // The package: every file moved; in text files the package's names (imports, its pyproject name).
  const strongFrom: LocationRef = { names: locationNames(from.names.snake, from.names.snake) };
  const strongTo: LocationRef = { names: locationNames(to.names.snake, to.names.snake) };
  for (const file of walkFiles(root, location.member)) {
    const relative = file.slice(location.member.length + 1);
    const target = `${newMember}/${renameMentions(relative, strongFrom, strongTo)}`;
    const bytes = readFileSync(join(root, file));
    const text = isText(bytes) ? bytes.toString('utf8') : undefined;
    if (text !== undefined) checkUnmentioned(file, text, [{ start: 0, end: text.length }], strongFrom, strongTo);
    stage.write(target, text !== undefined ? renameMentions(text, strongFrom, strongTo) : bytes);
    stage.modes.set(target, statSync(join(root, file)).mode);
  }
  stage.deleteDir(location.member);
  moves.push({ from: `${location.member}/`, to: `${newMember}/` });
  renameCanonical(stage, model, location, to.names);

  const after = checkResult(stage, before, force, warnings);
  const found = after.locations.find((l) => l.names.snake === to.names.snake);
  if (!found || found.names.short !== to.names.short || (to.port !== undefined && found.port !== to.port)) {
    throw new EditError(`after the rename the repo does not read as ${to.names.snake} (short name ${to.names.short}, port ${to.port ?? '?'}); nothing was written`);
  }
  warnings.push(...leftMentions(stage, location, changedVariants(to, from)));
  return { stage, location, renamed: { names: to.names, port: to.port }, moves, warnings, checklist: renameChecklist(model, location, to) };
}

/** The new names and port, validated against every other location (collisions refused). */
function renameTarget(model: Monorepo, location: Location, input: RenameInput): LocationRef {
  const newName = input.newName!;
  const others: Monorepo = {
    ...model,
    locations: model.locations.filter((l) => l.names.snake !== location.names.snake),
    ports: model.ports.filter((p) => p.owner !== location.names.snake),
    // Its own DAGSTER_BUILD_TAG_<UPPER> goes with it: a default short name that stays the same is not taken.
    buildTags: model.buildTags?.filter((t) => t.service !== location.names.snake),
  };
  if (newName === location.names.snake) throw new UsageError(`${newName} is already the location's name; give a new package name.`);
  const taken = others.locations.find((l) => l.names.snake === newName || l.names.short === newName);
  if (taken) throw new UsageError(`"${newName}" is already used by ${taken.names.snake} (as its ${taken.names.snake === newName ? 'package' : 'short'} name); choose another name.`);
  const nameError = checkPackageName(newName, others);
  if (nameError) throw new UsageError(nameError);
  // A short name of its own is kept; the default one follows the new name, as adding would choose it.
  const ownShort = location.names.short !== defaultShortName(location.names.snake, others.locations.map((l) => l.names.short));
  const short = input.newShort || (ownShort ? location.names.short : defaultShortName(newName, others.locations.map((l) => l.names.short)));
  const shortError = checkShortName(short, newName, others);
  if (shortError) throw new UsageError(shortError);
  let port = location.port;
  if (input.newPort !== undefined && input.newPort !== '') {
    const portError = checkPort(input.newPort, newName, others);
    if (portError) throw new UsageError(portError);
    port = Number(input.newPort);
  }
  return { names: locationNames(newName, short), port, hasClickhouse: location.hasClickhouse };
}

/** A file or folder the renamed location needs must not exist yet. */
function checkFreePaths(root: string, paths: string[]): void {
  for (const path of paths) {
    if (existsSync(join(root, path))) throw new UsageError(`${path} exists already; the renamed location needs that path. Move it away or choose another name. Nothing was written.`);
  }
}

/**
 * The new names (and port, when it changes) must not be mentioned already where the old ones are
 * renamed: the two would become one, and renaming back could not tell them apart.
 */
function checkUnmentioned(file: string, text: string, spans: ReadonlyArray<{ start: number; end: number }>, from: LocationRef, to: LocationRef): void {
  const pattern = changedVariants(from, to);
  if (!pattern) return;
  for (const span of spans) {
    pattern.lastIndex = 0;
    const match = pattern.exec(text.slice(span.start, span.end));
    if (match) {
      throw new UsageError(`${file}:${lineNumber(text, span.start + match.index)}: "${match[0]}" is mentioned already where ${from.names.snake} is to be renamed; choose another name (or port). Nothing was written.`);
    }
  }
}

/** A pattern of `to`'s variants that differ from `from`'s, matched as mentions.ts would. */
function changedVariants(from: LocationRef, to: LocationRef): RegExp | undefined {
  const parts: string[] = [];
  const fromStrong = new Set([from.names.snake, from.names.kebab, from.names.dotted, from.names.snake.toUpperCase(), from.names.kebab.toUpperCase()]);
  for (const text of new Set([to.names.snake, to.names.kebab, to.names.dotted, to.names.snake.toUpperCase(), to.names.kebab.toUpperCase()])) {
    if (!fromStrong.has(text)) parts.push(`(?<![A-Za-z0-9])${escapeRegExp(text)}(?![A-Za-z0-9])`);
  }
  if (to.names.short !== from.names.short && to.names.short !== to.names.snake) {
    parts.push(`(?<![A-Za-z0-9_.-])${escapeRegExp(to.names.short)}(?![A-Za-z0-9_.-])`);
    parts.push(`(?<=\\b(?:DAGSTER_BUILD_TAG|SERVICE_IMAGE_NAME)_)${escapeRegExp(to.names.upper)}(?![A-Za-z0-9_])`);
  }
  if (to.port !== undefined && to.port !== from.port) parts.push(`(?<![A-Za-z0-9_.-]|\\d\\.)${to.port}(?![A-Za-z0-9_-]|\\.\\d)`);
  return parts.length > 0 ? new RegExp(parts.join('|'), 'g') : undefined;
}

/**
 * The canonical follows its rename: `.yo-rc.json`'s setting is rewritten in place; when the
 * canonical was the default one, the setting is written (and dropped again when a rename gives
 * the default name back to a setting this command wrote).
 */
function renameCanonical(stage: Stage, model: Monorepo, location: Location, to: LocationNames): void {
  if (location.names.snake !== model.conventions.canonical) return;
  const text = stage.read('.yo-rc.json');
  const written = (name: string) => `{\n  "${CONFIG_KEY}": {\n    "canonical": "${name}"\n  }\n}\n`;
  if (text === written(location.names.snake) && to.snake === DEFAULT_CONVENTIONS.canonical) {
    stage.delete('.yo-rc.json');
    return;
  }
  if (text === undefined) {
    stage.write('.yo-rc.json', written(to.snake));
    return;
  }
  const setting = new RegExp(`("canonical"\\s*:\\s*")${escapeRegExp(location.names.snake)}(")`);
  if (!setting.test(text)) {
    throw new UsageError(`${location.names.snake} is the canonical location by default; add "canonical": "${location.names.snake}" under "${CONFIG_KEY}" in .yo-rc.json so the rename can carry it over. Nothing was written.`);
  }
  stage.write('.yo-rc.json', text.replace(setting, `$1${to.snake}$2`));
}

function renameChecklist(model: Monorepo, location: Location, to: LocationRef): string[] {
  const old = location.names;
  const names = to.names;
  const list: string[] = [];
  if (old.serviceImageVariable !== names.serviceImageVariable) {
    list.push(`Bitbucket: rename the repository variable ${old.serviceImageVariable} to ${names.serviceImageVariable} = ${names.image}, and the pipeline variable ${old.buildTagVariable} to ${names.buildTagVariable}`);
  } else {
    list.push(`Bitbucket: set the repository variable ${names.serviceImageVariable} to ${names.image}`);
  }
  list.push(`Docker Swarm: the stack now deploys ${names.service}; after deploying it, \`docker service rm <stack>_${old.service}\` (the stack's name is not in this repo: use yours)`);
  const env = `${SHARED_DATA}/${model.conventions.files.environments}`;
  list.push(`Shared volume: rename the real env file ${env}/${old.snake}.env to ${env}/${names.snake}.env`);
  list.push(`Shared volume: move the location's data from ${SHARED_DATA}/${old.snake} to ${SHARED_DATA}/${names.snake} (the IO manager's base_dir follows the name)`);
  if (location.hasClickhouse) list.push(`ClickHouse: \`RENAME DATABASE ${old.database} TO ${names.database}\` (or drop it and run \`bootstrap-clickhouse --locations ${names.snake}\`)`);
  list.push(`Dagster: the materialisations of the assets were recorded under the code location ${old.snake}; migrating them to ${names.snake} is the team's to do`);
  return list;
}

// ------------------------------------------------------------------------------ helpers

/**
 * The location's full names and its `DAGSTER_BUILD_TAG_<UPPER>` / `SERVICE_IMAGE_NAME_<UPPER>`
 * variables: what must be gone after a removal (a bare port or short word may be anyone's).
 */
function namesAndVariables(names: LocationNames): RegExp {
  const strong = mentionPattern({ names: locationNames(names.snake, names.snake) });
  return new RegExp(`${strong.source}|\\b(?:DAGSTER_BUILD_TAG|SERVICE_IMAGE_NAME)_${escapeRegExp(names.upper)}(?![A-Za-z0-9_])`, 'g');
}

/** The location's own files besides its package folder. */
function ownFiles(model: Monorepo, location: Location) {
  return { dockerfile: location.names.dockerfile, envTemplate: posix.join(model.conventions.files.environments, `${location.names.snake}.env.template`) };
}

/** A registry error names its file. */
function atFile<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof EditError && !error.file) throw new EditError(error.message.replace(/^: /, ''), file, error.line);
    throw error;
  }
}

/**
 * Mentions of the old location that remain: in the files the change writes (`inWritten`: what
 * the change should have taken out), and in the repo's other text files (its full names only).
 * Neither is an error; both are for a person.
 */
function leftMentions(stage: Stage, location: Location, inWritten: RegExp | undefined): string[] {
  const found: string[] = [];
  const scan = (file: string, text: string, pattern: RegExp) => {
    const seen = new Set<number>();
    for (const match of text.matchAll(new RegExp(pattern.source, 'g'))) {
      const line = lineNumber(text, match.index);
      if (seen.has(line)) continue;
      seen.add(line);
      const lineText = text.split(/\r?\n/)[line - 1].trim();
      found.push(`${file}:${line}: \`${lineText.length > 80 ? `${lineText.slice(0, 77)}...` : lineText}\` still mentions ${location.names.snake}; check it by hand`);
    }
  };
  const written = [...stage.writes.keys()];
  for (const file of written) {
    const text = stage.read(file);
    if (text !== undefined && inWritten) scan(file, text, inWritten);
  }
  const strong = mentionPattern({ names: locationNames(location.names.snake, location.names.snake) });
  // The run's own lock (beside the root pyproject.toml outside git) quotes its command line.
  const skip = new Set([...written, 'uv.lock', relative(stage.root, lockPath(stage.root)).split(sep).join('/')]);
  for (const file of walkFiles(stage.root, '', 5000)) {
    if (skip.has(file) || stage.deletes.has(file) || file.startsWith(`${location.member}/`)) continue;
    const bytes = readFileSync(join(stage.root, file));
    if (bytes.length > 1_000_000 || !isText(bytes)) continue;
    scan(file, bytes.toString('utf8'), strong);
  }
  return found;
}

function readDisk(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

function diskEntries(root: string, dir: string): string[] {
  try {
    return readdirSync(join(root, dir));
  } catch {
    return [];
  }
}

/** Every file under `dir` (relative to the root, `/`-separated), dotfiles included, caches and VCS left out of repo-wide walks. */
export function walkFiles(root: string, dir: string, limit = Infinity): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of diskEntries(root, rel).sort()) {
      if (files.length >= limit) return;
      const path = rel === '' ? entry : `${rel}/${entry}`;
      let stat;
      try {
        stat = statSync(join(root, path));
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (dir === '' && SKIPPED_DIRS.has(entry)) continue;
        walk(path);
      } else if (stat.isFile()) files.push(path);
    }
  };
  walk(dir);
  return files;
}

function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

// ------------------------------------------------------------------------------ staging and summary

/** The plan staged in the generator's in-memory filesystem (committed all or nothing after review). */
export function stagePlan(plan: Plan, fs: MemFsEditor, abs: (path: string) => string): void {
  for (const [path, contents] of plan.stage.writes) {
    const mode = plan.stage.modes.get(path);
    fs.write(abs(path), contents, mode !== undefined ? ({ stat: { mode } } as never) : undefined);
  }
  for (const path of plan.stage.deletes) fs.delete(abs(path));
}

/** The closing summary of remove and rename: the files, the warnings, what is left for a person. */
export function formatLifecycleSummary(input: { plan: Plan; report: Report; dryRun: boolean; color: boolean; verify: string[] }): string {
  const c = new Chalk({ level: input.color ? 1 : 0 });
  const { plan, report } = input;
  const { names } = plan.location;
  const lines: string[] = [];
  const heading = (text: string) => lines.push('', c.bold(text));
  const would = input.dryRun ? c.dim(' (dry run: nothing written)') : '';
  heading(plan.renamed ? `Code location ${names.snake} renamed to ${plan.renamed.names.snake} (${plan.renamed.names.kebab}, short name ${plan.renamed.names.short}${plan.renamed.port !== undefined ? `, port ${plan.renamed.port}` : ''})${would}` : `Code location ${names.snake} removed${would}`);
  const movedFrom = new Set(plan.moves.map((m) => m.from));
  const movedTo = new Set(plan.moves.map((m) => m.to));
  const under = (path: string, dirs: Set<string>) => [...dirs].some((d) => path === d || (d.endsWith('/') && path.startsWith(d)));
  for (const move of plan.moves) lines.push(`  ${c.cyan('move')}   ${move.from} -> ${move.to}`);
  const deleted = [...plan.stage.deletes].filter((p) => !under(p, movedFrom));
  const folder = `${plan.location.member}/`;
  const inFolder = deleted.filter((p) => p.startsWith(folder));
  if (inFolder.length > 0 && !plan.renamed) lines.push(`  ${c.red('delete')} ${folder} (${inFolder.length} file${inFolder.length === 1 ? '' : 's'})`);
  for (const path of deleted.filter((p) => !p.startsWith(folder)).sort()) lines.push(`  ${c.red('delete')} ${path}`);
  for (const path of [...plan.stage.writes.keys()].filter((p) => !under(p, movedTo)).sort()) lines.push(`  ${c.yellow('change')} ${path}`);
  const warnings = [...plan.warnings, ...report.warnings];
  if (warnings.length > 0) {
    heading('Warnings');
    for (const warning of warnings) lines.push(`  ${c.yellow('!')} ${warning}`);
  }
  heading('Left for you (outside this repo)');
  for (const item of [...plan.checklist, ...report.notes]) lines.push(`  [ ] ${item}`);
  heading('Verify (from the monorepo root)');
  for (const command of input.verify) lines.push(`  ${c.cyan(command)}`);
  return `${lines.join('\n')}\n`;
}
