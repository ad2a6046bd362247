/**
 * The monorepo, read once: its workspace members, its code locations (with short name, port
 * and ClickHouse), the canonical location, every port in use and where, and the text of each
 * registry file. Every sub-generator works from this model; none re-reads the registries to
 * learn facts (edits still read the current staged text, since phases follow one another).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { CONFIG_KEY, conventionsFrom, type Conventions } from './conventions.js';
import { checkDockerfile, dockerfilePortUses, runsFrozenSync } from './editors/dockerfile.js';
import { checkPythonSyntax, findAliasDict } from './editors/python.js';
import { EditError, lineNumber } from './editors/text.js';
import { getPath, parseToml } from './editors/toml.js';
import type { Node } from 'yaml';
import { entryFieldNodes, findNodes, getCollection, isScalar, isSeq, parseYaml, samePath, toJs } from './editors/yaml.js';
import { locationNames, snakeFromKebab, type LocationNames } from './naming.js';

/** Where a fact of the model was read: a file and, when known, the line. */
export interface Source {
  file: string;
  line?: number;
  /** What is there, e.g. `DAGSTER_BUILD_TAG_UNDERWRITING`. */
  what?: string;
}

export interface Location {
  names: LocationNames;
  /** Workspace member path, e.g. src/underwriting_ml. */
  member: string;
  port?: number;
  hasClickhouse: boolean;
  /** Where its short name was read (a stack image's build tag, an alias dict); none when it is the package name. */
  shortFrom?: Source;
  /** Its own pyproject.toml's `[project].description`, the prose its registrations use. */
  description?: string;
}

export interface PortUse {
  port: number;
  file: string;
  what: string;
  /** The location (or compose service) it belongs to. */
  owner?: string;
  /** The line of the file that uses it (none for a default). */
  line?: number;
}

/** `file:line` (or the file alone) of a source, for messages. */
export function where(source: { file: string; line?: number }): string {
  return source.line ? `${source.file}:${source.line}` : source.file;
}

export interface Monorepo {
  root: string;
  conventions: Conventions;
  /** Workspace members as listed (globs expanded), e.g. src/shared. */
  members: string[];
  /** Members' snake-case directory names, for Dockerfile stubs. */
  memberDirs: string[];
  locations: Location[];
  canonical?: Location;
  ports: PortUse[];
  /** Import names of every dependency anywhere in the workspace, to refuse shadowing names. */
  importNames: Set<string>;
  /** Where each import name comes from (the pyproject.toml line that declares the dependency). */
  importSources?: Map<string, Source>;
  /** Every `DAGSTER_BUILD_TAG_<UPPER>` the Swarm stack uses, with the service that uses it. */
  buildTags?: Array<Source & { short: string; service?: string }>;
  /** Where the webserver port is set: `.yo-rc.json` (with its line), or nowhere (the default). */
  webserverPortFrom?: Source;
  /** Dockerfiles at the root that run `uv sync --frozen` (location ones and the bootstrap). */
  frozenDockerfiles: string[];
}

/** Reads a file relative to the root; undefined when it does not exist. */
export type Reader = (relativePath: string) => string | undefined;
/** Lists the entries of a folder relative to the root. */
export type Lister = (relativePath: string) => string[];

/**
 * The folder at or above `start` whose pyproject.toml declares a uv workspace, in any TOML
 * spelling: `[tool.uv.workspace]` (spaces inside the brackets or not, quoted keys), dotted keys
 * under `[tool.uv]` (`workspace.members = [...]`), or an inline table (`workspace = { ... }`).
 */
export function findMonorepoRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const pyproject = join(dir, 'pyproject.toml');
    if (existsSync(pyproject) && declaresWorkspace(readFileSync(pyproject, 'utf8'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * True when a pyproject.toml text declares `tool.uv.workspace`. A text that does not parse
 * counts when it has a line that declares it (then the reading names the syntax error).
 */
export function declaresWorkspace(text: string): boolean {
  if (!/workspace/.test(text)) return false;
  try {
    const workspace = getPath(parseToml(text), ['tool', 'uv', 'workspace']);
    return workspace !== null && typeof workspace === 'object' && !Array.isArray(workspace);
  } catch {
    const key = (name: string) => `(?:${name}|"${name}"|'${name}')`;
    const dotted = `${key('tool')}\\s*\\.\\s*${key('uv')}\\s*\\.\\s*${key('workspace')}`;
    return new RegExp(`^\\s*\\[\\s*${dotted}\\s*\\]|^\\s*(?:${dotted}|${key('workspace')})\\s*(?:\\.|=\\s*\\{)`, 'm').test(text);
  }
}

export function diskLister(root: string): Lister {
  return (relativePath) => {
    try {
      return readdirSync(join(root, relativePath));
    } catch {
      return [];
    }
  };
}

export function readMonorepo(root: string, read: Reader, list: Lister): Monorepo {
  const conventions = conventionsFrom(read('.yo-rc.json'));
  const rootText = read('pyproject.toml');
  if (rootText === undefined) throw new EditError('no pyproject.toml at the monorepo root', 'pyproject.toml');
  const rootToml = parseToml(rootText, 'pyproject.toml');
  const listed = getPath(rootToml, ['tool', 'uv', 'workspace', 'members']);
  if (!Array.isArray(listed)) throw new EditError('[tool.uv.workspace] has no members list', 'pyproject.toml');
  const members = expandMembers(listed as string[], list);
  const importNames = new Set<string>(['dagster', 'polars', 'shared']);
  const importSources = new Map<string, Source>();
  collectImportNames(rootToml, importNames, { text: rootText, file: 'pyproject.toml', sources: importSources });

  const locations: Location[] = [];
  const recorded = new Map<string, RecordedNames>();
  for (const member of members) {
    const memberToml = read(`${member}/pyproject.toml`);
    const memberFile = `${member}/pyproject.toml`;
    const parsed = memberToml === undefined ? undefined : parseToml(memberToml, memberFile);
    if (parsed) collectImportNames(parsed, importNames, { text: memberToml!, file: memberFile, sources: importSources });
    if (!importSources.has(posix.basename(member))) importSources.set(posix.basename(member), { file: memberFile, what: 'a workspace member' });
    if (read(`${member}/definitions.py`) === undefined) continue;
    const snake = posix.basename(member);
    const own = parsed && recordedNames(parsed);
    if (own) recorded.set(snake, own);
    locations.push({
      names: locationNames(snake, snake),
      member,
      hasClickhouse: read(`${member}/clickhouse/__init__.py`) !== undefined,
      description: projectDescription(parsed),
    });
  }
  const webserverPortFrom = yoRcSetting(read('.yo-rc.json'), 'webserverPort');
  const ports: PortUse[] = [{ port: conventions.webserverPort, file: webserverPortFrom?.file ?? 'the default webserverPort', what: 'Dagster webserver', line: webserverPortFrom?.line }];
  const buildTags = readBuildTags(read, conventions);
  const shorts = readShortNames(read, conventions, locations, buildTags);
  for (const location of locations) {
    const short = shorts.get(location.names.snake);
    const recordedShort = recorded.get(location.names.snake)?.short;
    if (short) {
      location.names = locationNames(location.names.snake, short.short);
      location.shortFrom = short.from;
    } else if (recordedShort) location.names = locationNames(location.names.snake, recordedShort);
  }
  const dockerfiles = list('').filter((f) => /^Dockerfile(\..+)?$/.test(f)).sort();
  for (const file of dockerfiles) checkDockerfile(read(file) ?? '', file);
  readWorkspacePorts(read, conventions, locations, ports);
  readDockerfilePorts(read, locations, dockerfiles, ports);
  for (const file of [conventions.files.compose, conventions.files.stack]) readServicePorts(read, file, ports);
  for (const location of locations) {
    const port = recorded.get(location.names.snake)?.port;
    if (port !== undefined) ports.push({ port, file: `${location.member}/pyproject.toml`, what: `[tool.dagster-location] port of ${location.names.snake}`, owner: location.names.snake });
  }
  for (const location of locations) {
    location.port ??= ports.find((p) => p.owner === location.names.snake)?.port;
  }
  const frozenDockerfiles = dockerfiles.filter((f) => runsFrozenSync(read(f) ?? ''));
  return {
    root,
    conventions,
    members,
    memberDirs: members.map((m) => posix.basename(m)),
    locations,
    canonical: locations.find((l) => l.names.snake === conventions.canonical),
    ports,
    importNames,
    importSources,
    buildTags,
    webserverPortFrom,
    frozenDockerfiles,
  };
}

/**
 * The short name and port `dagster-location package` records in a new package's pyproject.toml
 * (`[tool.dagster-location]`), so the phases run later, and the doctor, use the ones given then.
 */
interface RecordedNames {
  short?: string;
  port?: number;
}

function recordedNames(toml: Record<string, unknown>): RecordedNames | undefined {
  const table = getPath(toml, ['tool', 'dagster-location']) as Record<string, unknown> | undefined;
  if (!table || typeof table !== 'object') return undefined;
  const short = typeof table['short-name'] === 'string' ? table['short-name'] : undefined;
  const port = typeof table.port === 'number' && Number.isInteger(table.port) ? table.port : undefined;
  return { short, port };
}

function projectDescription(toml: Record<string, unknown> | undefined): string | undefined {
  const description = toml && getPath(toml, ['project', 'description']);
  return typeof description === 'string' && description.trim() !== '' ? description.trim() : undefined;
}

/** The line of a setting under the generator's key in `.yo-rc.json`, when it is set there. */
function yoRcSetting(text: string | undefined, key: string): Source | undefined {
  if (!text) return undefined;
  const own = (JSON.parse(text) as Record<string, Record<string, unknown> | undefined>)[CONFIG_KEY];
  if (!own || !(key in own)) return undefined;
  const at = text.search(new RegExp(`"${key}"\\s*:`));
  return { file: '.yo-rc.json', line: at === -1 ? undefined : lineNumber(text, at), what: key };
}

/** `src/*` style members are expanded against the folders that hold a pyproject.toml. */
function expandMembers(listed: string[], list: Lister): string[] {
  return listed.flatMap((member) => {
    if (!member.includes('*')) return [member.replace(/\/$/, '')];
    const dir = member.slice(0, member.indexOf('*')).replace(/\/$/, '');
    return list(dir)
      .filter((entry) => list(`${dir}/${entry}`).includes('pyproject.toml'))
      .sort()
      .map((entry) => `${dir}/${entry}`);
  });
}

/** Distributions whose import name is not their name in snake_case. */
const IMPORT_NAMES: Record<string, string> = {
  scikit_learn: 'sklearn',
  pyyaml: 'yaml',
  beautifulsoup4: 'bs4',
  pillow: 'PIL',
  python_dateutil: 'dateutil',
  opencv_python: 'cv2',
  psycopg2_binary: 'psycopg2',
  protobuf: 'google',
  attrs: 'attr',
};

function collectImportNames(toml: Record<string, unknown>, into: Set<string>, from?: { text: string; file: string; sources: Map<string, Source> }): void {
  const deps = [
    ...((getPath(toml, ['project', 'dependencies']) as string[] | undefined) ?? []),
    ...Object.values((getPath(toml, ['dependency-groups']) as Record<string, unknown[]> | undefined) ?? {}).flat(),
  ];
  for (const dep of deps) {
    if (typeof dep !== 'string') continue;
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(dep)?.[0];
    if (!name) continue;
    const snake = snakeFromKebab(name);
    const imported = [snake, ...(IMPORT_NAMES[snake] ? [IMPORT_NAMES[snake]] : [])];
    for (const importName of imported) {
      into.add(importName);
      if (from && !from.sources.has(importName)) from.sources.set(importName, { file: from.file, line: dependencyLine(from.text, dep), what: `the dependency "${dep}"` });
    }
  }
}

/** The line of a dependency string in a pyproject.toml text (its first quoted occurrence). */
function dependencyLine(text: string, dep: string): number | undefined {
  const at = [`"${dep}"`, `'${dep}'`].map((quoted) => text.indexOf(quoted)).filter((i) => i !== -1).sort((a, b) => a - b)[0];
  return at === undefined ? undefined : lineNumber(text, at);
}

/**
 * Short names, most authoritative first: the `DAGSTER_BUILD_TAG_<UPPER>` of the location's Swarm
 * image (it is what CI sets), then the devtools alias dicts. Unknown ones stay the package name.
 */
function readShortNames(read: Reader, conventions: Conventions, locations: Location[], buildTags: Array<Source & { short: string; service?: string }>): Map<string, { short: string; from: Source }> {
  const shorts = new Map<string, { short: string; from: Source }>();
  const names = locations.map((l) => l.names.snake);
  for (const file of conventions.files.aliasFiles) {
    const text = read(file);
    if (text === undefined) continue;
    checkPythonSyntax(text, file);
    const dict = findAliasDict(text, names);
    for (const entry of dict ? dict.entries : []) {
      if (!shorts.has(entry.value)) shorts.set(entry.value, { short: entry.key, from: { file, line: entry.line, what: `the alias "${entry.key}"` } });
    }
  }
  for (const name of names) {
    const tag = buildTags.find((t) => t.service === name && t.what === 'image');
    if (tag) shorts.set(name, { short: tag.short, from: { file: tag.file, line: tag.line, what: `DAGSTER_BUILD_TAG_${tag.short.toUpperCase()}` } });
  }
  return shorts;
}

/**
 * Every `DAGSTER_BUILD_TAG_<UPPER>` in the Swarm stack's services (image, environment, any
 * value), with its line and service; `what` is `image` for the service's own image.
 */
function readBuildTags(read: Reader, conventions: Conventions): Array<Source & { short: string; service?: string }> {
  const file = conventions.files.stack;
  const text = read(file);
  if (text === undefined) return [];
  const doc = parseYaml(text, file);
  const images = entryFieldNodes(doc, ['services'], ['image']);
  const found: Array<Source & { short: string; service?: string }> = [];
  const services = getCollection(doc, ['services']);
  for (const { node, path } of findNodes(doc, (node) => isScalar(node) && typeof node.value === 'string' && node.value.includes('DAGSTER_BUILD_TAG_'))) {
    const service = samePath(path.slice(0, 1), ['services']) && services ? String(path[1]) : undefined;
    for (const m of String((node as { value: string }).value).matchAll(/DAGSTER_BUILD_TAG_([A-Z0-9_]+)/g)) {
      const own = service !== undefined && images.get(service)?.image === node;
      found.push({ short: m[1].toLowerCase(), file, line: node.range ? lineNumber(text, node.range[0]) : undefined, what: own ? 'image' : m[0], service });
    }
  }
  return found;
}

function readWorkspacePorts(read: Reader, conventions: Conventions, locations: Location[], ports: PortUse[]): void {
  const file = conventions.files.workspace;
  const text = read(file);
  if (text === undefined) return;
  const doc = parseYaml(text, file);
  const loadFrom = doc.get('load_from', true);
  if (!isSeq(loadFrom)) return;
  // Plain data through the document, so aliases and merge keys (`<<: *grpc`) resolve.
  const entries = ((toJs(doc) as { load_from?: unknown[] }).load_from ?? []) as Array<{ grpc_server?: { host?: string; port?: unknown; location_name?: string } } | null>;
  entries.forEach((entry, index) => {
    const server = entry?.grpc_server;
    if (!server || server.port === undefined) return;
    const port = Number(server.port);
    const name = server.location_name ?? server.host ?? '?';
    const item = loadFrom.items[index] as Node | undefined;
    const portNode = doc.getIn(['load_from', index, 'grpc_server', 'port'], true) as Node | undefined;
    const at = (isScalar(portNode) ? portNode.range?.[0] : undefined) ?? item?.range?.[0];
    ports.push({ port, file, what: `grpc_server ${name}`, owner: name, line: at === undefined ? undefined : lineNumber(text, at) });
    const location = locations.find((l) => l.names.snake === name || l.names.snake === server.host);
    if (location) location.port = port;
  });
}

function readDockerfilePorts(read: Reader, locations: Location[], dockerfiles: string[], ports: PortUse[]): void {
  for (const file of dockerfiles) {
    const text = read(file);
    if (text === undefined) continue;
    // A location's Dockerfile.<dotted.name>, even before its package exists (a phase run alone).
    const known = locations.find((l) => l.names.dockerfile === file)?.names.snake;
    const owner = known ?? (file.startsWith('Dockerfile.') ? file.slice('Dockerfile.'.length).replace(/\./g, '_') : undefined);
    for (const use of dockerfilePortUses(text)) {
      ports.push({ port: use.port, file, what: known ? `${use.what} of ${known}` : use.what, owner, line: use.line });
    }
  }
}

/**
 * The ports of every service of a compose or Swarm stack file: `ports` (short and long syntax,
 * published and target), `expose`, and a `-p`/`--port` in its `command`.
 */
function readServicePorts(read: Reader, file: string, ports: PortUse[]): void {
  const text = read(file);
  if (text === undefined) return;
  const doc = parseYaml(text, file);
  const lineOf = (node: Node | undefined) => (node?.range ? lineNumber(text, node.range[0]) : undefined);
  for (const [name, fields] of entryFieldNodes(doc, ['services'], ['ports', 'expose', 'command'])) {
    for (const key of ['ports', 'expose'] as const) {
      const list = fields[key];
      for (const item of isSeq(list) ? (list.items as Node[]) : []) {
        for (const port of composePortNumbers(item.toJS(doc, { maxAliasCount: -1 }))) ports.push({ port, file, what: `${key} of service ${name}`, owner: name, line: lineOf(item) });
      }
    }
    const command = fields.command;
    if (command) {
      const words = (() => {
        const value = command.toJS(doc, { maxAliasCount: -1 }) as unknown;
        return Array.isArray(value) ? value.map(String) : String(value ?? '').split(/\s+/);
      })();
      words.forEach((word, k) => {
        const port = /^(?:-p|--port)(?:=(\d+))?$/.exec(word);
        const value = port?.[1] ?? (port ? words[k + 1] : undefined);
        if (value && /^\d+$/.test(value)) ports.push({ port: Number(value), file, what: `command of service ${name}`, owner: name, line: lineOf(command) });
      });
    }
  }
}

/** "4001:4001", "127.0.0.1:4001:4001/tcp", 4001 or {published, target}: every port number. */
function composePortNumbers(mapping: unknown): number[] {
  if (typeof mapping === 'number') return [mapping];
  if (typeof mapping === 'string') return [...mapping.replace(/\/\w+$/, '').matchAll(/(?:^|:)(\d+)(?=$|:)/g)].map((m) => Number(m[1]));
  if (mapping && typeof mapping === 'object') {
    const { published, target } = mapping as { published?: unknown; target?: unknown };
    return [published, target].filter((p) => p !== undefined).map(Number);
  }
  return [];
}

/** A YAML file of the repo as plain data (parsed once per text), or undefined when it is missing. */
export function yamlJs(read: Reader, file: string): unknown {
  const text = read(file);
  return text === undefined ? undefined : toJs(parseYaml(text, file));
}

/** The next free port from the base port up. */
export function nextFreePort(model: Monorepo): number {
  const used = new Set(model.ports.map((p) => p.port));
  let port = model.conventions.basePort;
  while (used.has(port)) port++;
  return port;
}

export function findLocation(model: Monorepo, name: string): Location | undefined {
  return model.locations.find((l) => l.names.snake === name || l.names.short === name);
}

/** The folders whose `.yo-resolve` could decide a run's files: the root and above, and the members' folders. */
export function yoResolveFolders(model: Pick<Monorepo, 'root' | 'members'>): string[] {
  const folders: string[] = [];
  for (let dir = model.root; ; dir = dirname(dir)) {
    folders.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const member of model.members) {
    for (let dir = resolve(model.root, member); dir.startsWith(model.root + sep); dir = dirname(dir)) folders.push(dir);
  }
  return folders;
}
