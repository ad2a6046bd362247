/**
 * The monorepo, read once: its workspace members, its code locations (with short name, port
 * and ClickHouse), the canonical location, every port in use and where, and the text of each
 * registry file. Every sub-generator works from this model; none re-reads the registries to
 * learn facts (edits still read the current staged text, since phases follow one another).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { conventionsFrom, type Conventions } from './conventions.js';
import { runsFrozenSync, dockerfilePorts } from './editors/dockerfile.js';
import { findAliasDict } from './editors/python.js';
import { EditError } from './editors/text.js';
import { getPath, parseToml } from './editors/toml.js';
import { entryFields, isSeq, parseYaml, toJs } from './editors/yaml.js';
import { locationNames, snakeFromKebab, type LocationNames } from './naming.js';

export interface Location {
  names: LocationNames;
  /** Workspace member path, e.g. src/underwriting_ml. */
  member: string;
  port?: number;
  hasClickhouse: boolean;
}

export interface PortUse {
  port: number;
  file: string;
  what: string;
  /** The location (or compose service) it belongs to. */
  owner?: string;
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
  /** Dockerfiles at the root that run `uv sync --frozen` (location ones and the bootstrap). */
  frozenDockerfiles: string[];
}

/** Reads a file relative to the root; undefined when it does not exist. */
export type Reader = (relativePath: string) => string | undefined;
/** Lists the entries of a folder relative to the root. */
export type Lister = (relativePath: string) => string[];

/** The folder at or above `start` whose pyproject.toml declares `[tool.uv.workspace]`. */
export function findMonorepoRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const pyproject = join(dir, 'pyproject.toml');
    if (existsSync(pyproject) && /^\s*\[tool\.uv\.workspace\]/m.test(readFileSync(pyproject, 'utf8'))) return dir;
    if (dirname(dir) === dir) return undefined;
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
  collectImportNames(rootToml, importNames);

  const locations: Location[] = [];
  const recorded = new Map<string, RecordedNames>();
  for (const member of members) {
    const memberToml = read(`${member}/pyproject.toml`);
    const parsed = memberToml === undefined ? undefined : parseToml(memberToml, `${member}/pyproject.toml`);
    if (parsed) collectImportNames(parsed, importNames);
    if (read(`${member}/definitions.py`) === undefined) continue;
    const snake = posix.basename(member);
    const own = parsed && recordedNames(parsed);
    if (own) recorded.set(snake, own);
    locations.push({
      names: locationNames(snake, snake),
      member,
      hasClickhouse: read(`${member}/clickhouse/__init__.py`) !== undefined,
    });
  }
  const ports: PortUse[] = [{ port: conventions.webserverPort, file: '.yo-rc.json', what: 'Dagster webserver' }];
  const shorts = readShortNames(read, conventions, locations);
  for (const location of locations) {
    const short = shorts.get(location.names.snake) ?? recorded.get(location.names.snake)?.short;
    if (short) location.names = locationNames(location.names.snake, short);
  }
  readWorkspacePorts(read, conventions, locations, ports);
  readDockerfilePorts(read, locations, ports);
  readComposePorts(read, conventions, ports);
  for (const location of locations) {
    const port = recorded.get(location.names.snake)?.port;
    if (port !== undefined) ports.push({ port, file: `${location.member}/pyproject.toml`, what: `[tool.dagster-location] port of ${location.names.snake}`, owner: location.names.snake });
  }
  for (const location of locations) {
    location.port ??= ports.find((p) => p.owner === location.names.snake)?.port;
  }
  const frozenDockerfiles = list('')
    .filter((f) => /^Dockerfile(\..+)?$/.test(f))
    .filter((f) => runsFrozenSync(read(f) ?? ''))
    .sort();
  return {
    root,
    conventions,
    members,
    memberDirs: members.map((m) => posix.basename(m)),
    locations,
    canonical: locations.find((l) => l.names.snake === conventions.canonical),
    ports,
    importNames,
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

function collectImportNames(toml: Record<string, unknown>, into: Set<string>): void {
  const deps = [
    ...((getPath(toml, ['project', 'dependencies']) as string[] | undefined) ?? []),
    ...Object.values((getPath(toml, ['dependency-groups']) as Record<string, unknown[]> | undefined) ?? {}).flat(),
  ];
  for (const dep of deps) {
    if (typeof dep !== 'string') continue;
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(dep)?.[0];
    if (!name) continue;
    const snake = snakeFromKebab(name);
    into.add(snake);
    if (IMPORT_NAMES[snake]) into.add(IMPORT_NAMES[snake]);
  }
}

/**
 * Short names, most authoritative first: the `DAGSTER_BUILD_TAG_<UPPER>` of the location's Swarm
 * image (it is what CI sets), then the devtools alias dicts. Unknown ones stay the package name.
 */
function readShortNames(read: Reader, conventions: Conventions, locations: Location[]): Map<string, string> {
  const shorts = new Map<string, string>();
  const names = locations.map((l) => l.names.snake);
  for (const file of conventions.files.aliasFiles) {
    const text = read(file);
    const dict = text && findAliasDict(text, names);
    for (const entry of dict ? dict.entries : []) if (!shorts.has(entry.value)) shorts.set(entry.value, entry.key);
  }
  const stackText = read(conventions.files.stack);
  if (stackText !== undefined) {
    const images = entryFields(parseYaml(stackText, conventions.files.stack), ['services'], ['image']);
    for (const name of names) {
      const image = images.get(name)?.image;
      const tag = /DAGSTER_BUILD_TAG_([A-Z0-9_]+)/.exec(typeof image === 'string' ? image : '')?.[1];
      if (tag) shorts.set(name, tag.toLowerCase());
    }
  }
  return shorts;
}

function readWorkspacePorts(read: Reader, conventions: Conventions, locations: Location[], ports: PortUse[]): void {
  const file = conventions.files.workspace;
  const text = read(file);
  if (text === undefined) return;
  const doc = parseYaml(text, file);
  const loadFrom = doc.get('load_from', true);
  if (!isSeq(loadFrom)) return;
  for (const entry of (loadFrom.toJSON() as Array<{ grpc_server?: { host?: string; port?: unknown; location_name?: string } }>)) {
    const server = entry?.grpc_server;
    if (!server || server.port === undefined) continue;
    const port = Number(server.port);
    const name = server.location_name ?? server.host ?? '?';
    ports.push({ port, file, what: `grpc_server ${name}`, owner: name });
    const location = locations.find((l) => l.names.snake === name || l.names.snake === server.host);
    if (location) location.port = port;
  }
}

function readDockerfilePorts(read: Reader, locations: Location[], ports: PortUse[]): void {
  for (const location of locations) {
    const text = read(location.names.dockerfile);
    if (text === undefined) continue;
    const found = dockerfilePorts(text);
    for (const port of found.expose) ports.push({ port, file: location.names.dockerfile, what: `EXPOSE of ${location.names.snake}`, owner: location.names.snake });
    for (const port of found.cmd) ports.push({ port, file: location.names.dockerfile, what: `CMD port of ${location.names.snake}`, owner: location.names.snake });
  }
}

function readComposePorts(read: Reader, conventions: Conventions, ports: PortUse[]): void {
  const file = conventions.files.compose;
  const text = read(file);
  if (text === undefined) return;
  for (const [name, service] of entryFields(parseYaml(text, file), ['services'], ['ports', 'expose'])) {
    for (const mapping of [service.ports, service.expose].flatMap((list) => (Array.isArray(list) ? list : []))) {
      for (const port of composePortNumbers(mapping)) ports.push({ port, file, what: `ports of service ${name}`, owner: name });
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
