/**
 * The bin's start-up: the built `dagster-location` answers `--help`, `--version`, a refused
 * command line and a read-only `doctor` without loading Yeoman, and the doctor it answers prints
 * exactly what `yo dagster-location:doctor` prints (same stdout, stderr and exit code). What
 * writes runs from one module, the build's bundle of lib/cli.js with Yeoman and the generators
 * in it, and it writes and prints exactly what `yo` does with the generators in dist/generators.
 * These run dist/ (npm run build first), as separate processes with no terminal.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { BUNDLE_CHANNEL } from '../lib/code-cache.js';
import { GENERATOR_NAMES } from '../lib/commands.js';
import { BIN, copyFixture, EXAMPLE, exists, MESSY, PROJECT, read, snapshot } from './helpers.js';

const REALWORLD = join(PROJECT, 'test', 'fixtures', 'realworld');
const FIXTURES: Array<[string, string]> = [
  ['the tidy example', EXAMPLE],
  ['the messy monorepo', MESSY],
  ...(existsSync(REALWORLD) ? [['the real-world monorepo', REALWORLD] as [string, string]] : []),
];

/**
 * A hook, loaded with --import, that appends every module URL the process resolves to a file,
 * every bundle lib/code-cache.ts loads (read as text, so no hook sees them), and, at exit, every
 * module `require` loaded (on Node 20.19 and later Yeoman `require`s an ES module generator, and
 * the hook does not see that).
 */
function moduleLog(): { flags: string[]; loaded: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'module-log-'));
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\n` +
      `export async function resolve(specifier, context, next) {\n` +
      `  const result = await next(specifier, context);\n` +
      `  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');\n` +
      `  return result;\n}\n`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  writeFileSync(
    join(dir, 'required.cjs'),
    `const { appendFileSync } = require('node:fs');\nconst { pathToFileURL } = require('node:url');\n` +
      `require('node:diagnostics_channel').subscribe(${JSON.stringify(BUNDLE_CHANNEL)}, ({ bundle }) => appendFileSync(${JSON.stringify(log)}, pathToFileURL(bundle).href + '\\n'));\n` +
      `process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).map((file) => pathToFileURL(file).href + '\\n').join('')));\n`,
  );
  return {
    flags: ['--require', join(dir, 'required.cjs'), '--import', pathToFileURL(join(dir, 'register.mjs')).href],
    loaded: () => readFileSync(log, 'utf8').split('\n').filter((url) => url && !url.endsWith('/required.cjs')),
  };
}

function bin(cwd: string, args: string[], nodeFlags: string[] = []) {
  const result = spawnSync(process.execPath, [...nodeFlags, BIN, ...args], { cwd, encoding: 'utf8', input: '', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `yo` finds the generator through NODE_PATH; as root it switches user, so HOME and the repo must be writable. */
function yo(cwd: string, args: string[]) {
  const base = mkdtempSync(join(tmpdir(), 'yo-'));
  const modules = join(base, 'node_modules');
  const home = join(base, 'home');
  mkdirSync(modules);
  mkdirSync(home);
  symlinkSync(PROJECT, join(modules, 'generator-dagster-location'));
  for (const dir of [base, home]) chmodSync(dir, 0o777);
  spawnSync('chmod', ['-R', 'a+rwX', cwd]);
  const result = spawnSync(join(PROJECT, 'node_modules', '.bin', 'yo'), [...args, '--no-insight'], {
    cwd,
    encoding: 'utf8',
    input: '',
    env: { ...process.env, HOME: home, NODE_PATH: modules, NO_COLOR: '1', NO_UPDATE_NOTIFIER: '1' },
    timeout: 120_000,
  });
  rmSync(base, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const YEOMAN = /\/node_modules\/(yeoman-environment|yeoman-generator|@yeoman\/|mem-fs)/;

/** A copy of `fixture` with the last location's env template and workspace.yaml entry gone (the guide's names). */
function brokenCopy(fixture: string): string {
  const dir = copyFixture(fixture);
  const audit = JSON.parse(bin(dir, ['doctor', '--json']).stdout) as { locations: Array<{ name: string }> };
  const name = audit.locations.at(-1)!.name;
  rmSync(join(dir, 'environments', `${name}.env.template`));
  const workspace = read(dir, 'workspace.yaml');
  const cut = workspace.replace(new RegExp(`^( *)-( +)grpc_server:\\n(?:\\1 .*\\n)*?\\1 +location_name: ["']?${name}["']?\\n`, 'm'), '');
  assert.notEqual(cut, workspace, `workspace.yaml has a grpc_server entry for ${name} to remove`);
  writeFileSync(join(dir, 'workspace.yaml'), cut);
  return dir;
}

describe('dagster-location start-up (the built bin)', () => {
  it('--version prints the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = bin(tmpdir(), [flag]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, `${version}\n`);
    }
  });

  it('--help lists every sub-generator, without loading Yeoman', () => {
    const log = moduleLog();
    const result = bin(tmpdir(), ['--help'], log.flags);
    assert.equal(result.status, 0, result.stderr);
    for (const sub of ['package', 'clickhouse', 'docker', 'ci', 'env', 'doctor']) assert.match(result.stdout, new RegExp(`^ {2}${sub} +\\S`, 'm'));
    assert.ok(log.loaded().some((url) => url.endsWith('/dist/lib/fast-commands.cjs')), 'the hook saw the fast path (with the table) load');
    assert.ok(!log.loaded().some((url) => url.endsWith('/dist/lib/cli.cjs')), 'the bundle of the writing path is not loaded');
    assert.deepEqual(log.loaded().filter((url) => YEOMAN.test(url)), []);
  });

  it('a refused command line: exit 2 and a suggestion, without loading Yeoman', () => {
    const log = moduleLog();
    const result = bin(tmpdir(), ['docter'], log.flags);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /Did you mean `dagster-location doctor`\?/);
    assert.ok(!log.loaded().some((url) => url.endsWith('/dist/lib/cli.cjs')), 'the bundle of the writing path is not loaded');
    assert.deepEqual(log.loaded().filter((url) => YEOMAN.test(url)), []);
  });

  it('a read-only doctor loads no Yeoman module; a new location loads Yeoman and the generators from the one bundled module', () => {
    const dir = copyFixture();
    const fast = moduleLog();
    assert.equal(bin(dir, ['doctor'], fast.flags).status, 0);
    assert.ok(fast.loaded().some((url) => url.endsWith('/dist/lib/fast-commands.cjs')), 'the hook saw the fast path load');
    assert.deepEqual(fast.loaded().filter((url) => YEOMAN.test(url)), []);
    const writing = moduleLog();
    const result = bin(dir, ['network_analytics', '--force', '--skip-install'], writing.flags);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(exists(dir, 'src/network_analytics/definitions.py'));
    const loaded = writing.loaded();
    const dist = pathToFileURL(join(PROJECT, 'dist')).href;
    assert.deepEqual(loaded.filter((url) => url.startsWith(dist)).map((url) => url.slice(dist.length)).sort(), [
      '/bin/dagster-location.js',
      '/lib/cli.cjs',
      '/lib/code-cache.js',
      '/lib/color.js',
      '/lib/fast-commands.cjs',
    ]);
    // Yeoman reads its package.json where it is installed; none of its code is loaded from there.
    assert.deepEqual(loaded.filter((url) => YEOMAN.test(url) && !url.endsWith('/package.json')), []);
  });

  it('the writing bundle leaves out what no command runs, and finds it where installed if one ever does', async () => {
    const bundle = join(PROJECT, 'dist', 'lib', 'cli.cjs');
    const text = readFileSync(bundle, 'utf8');
    for (const left of ['node_modules/ky/', 'node_modules/@npmcli/arborist/', 'node_modules/latest-version/', 'node_modules/package-json/']) {
      assert.ok(!text.includes(left), `${left} is not in the bundle`);
    }
    assert.ok(text.includes('madeSegmenter'), 'string-width makes its segmenter on first use');
    // The stand-ins' targets as the bundle names them, found the way it finds them when it runs.
    const latestCall = /__installedUrl\("latest-version","[^"]+"\)/.exec(text)?.[0];
    const flyCall = /__bundleResolve\("fly-import"\)\)\("@npmcli\/arborist"\)/.exec(text)?.[0];
    assert.ok(latestCall && flyCall, 'the bundle holds both stand-ins');
    const banner = text.slice(0, text.indexOf('"use strict";'));
    const find = new vm.Script(`(function (require, __filename) {${banner}\nreturn [${latestCall}, __bundleResolve("fly-import")];\n})`).runInThisContext() as (
      require: NodeRequire,
      filename: string,
    ) => [string, string];
    const [latestVersion, flyImport] = find(createRequire(bundle), bundle);
    assert.equal(typeof ((await import(latestVersion)) as { default: unknown }).default, 'function');
    assert.equal(typeof createRequire(fileURLToPath(flyImport))('@npmcli/arborist'), 'function');
  });

  for (const [label, fixture] of FIXTURES) {
    for (const [state, prepare] of [['as it is', copyFixture], ['with a registration missing', brokenCopy]] as const) {
      for (const flags of [[], ['--json']]) {
        it(`doctor${flags.map((f) => ` ${f}`).join('')} on ${label} ${state}: the same stdout, stderr and exit code as yo dagster-location:doctor`, () => {
          const dir = prepare(fixture);
          const viaBin = bin(dir, ['doctor', ...flags]);
          const viaYo = yo(dir, ['dagster-location:doctor', ...flags]);
          assert.equal(viaBin.stdout, viaYo.stdout);
          assert.equal(viaBin.stderr, viaYo.stderr);
          assert.equal(viaBin.status, viaYo.status);
          if (state === 'as it is') assert.equal(viaBin.status, 0, viaBin.stdout + viaBin.stderr);
          else {
            assert.equal(viaBin.status, 1);
            assert.match(viaBin.stdout, /workspace\.yaml/);
          }
        });
      }
    }
  }

  it('doctor where .yo-resolve rules apply: announced as the generator does (it runs through Yeoman)', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, '.yo-resolve'), 'docker-stack.yml skip\n');
    const log = moduleLog();
    const viaBin = bin(dir, ['doctor'], log.flags);
    const viaYo = yo(dir, ['dagster-location:doctor']);
    assert.match(viaBin.stderr, /^\.yo-resolve rules in effect/m);
    assert.equal(viaBin.stdout, viaYo.stdout);
    assert.equal(viaBin.status, 0);
    assert.ok(log.loaded().some((url) => url.endsWith('/dist/lib/cli.cjs')), 'the doctor ran through the generator');
  });

  it('doctor on a file that does not parse: its file:line and exit 1, as every command says it', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'compose.yml'), `${read(dir, 'compose.yml')}\nservices: [unclosed\n`);
    const result = bin(dir, ['doctor']);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /compose\.yml:\d+/);
    assert.equal(result.stdout, '');
  });
});

/**
 * The README's commands, one after another on a copy of a fixture, through the built bin and
 * through `yo dagster-location[:<sub>]` (which loads the unbundled generators): after each, the
 * same stdout, stderr and exit code, and the same files byte for byte.
 */
describe('the bundled writing path against yo', () => {
  const SUB_GENERATORS = new Set<string>(GENERATOR_NAMES.filter((name) => name !== 'app'));
  /** `refused`: yo words a failure its own way; the bin's message must be in it, nothing written either way. */
  type Step = { args: string[]; before?: (dir: string) => void; refused?: boolean };

  function sameAsYo(fixture: string, steps: Step[]) {
    const viaBin = copyFixture(fixture);
    const viaYo = copyFixture(fixture);
    for (const { args, before, refused } of steps) {
      before?.(viaBin);
      before?.(viaYo);
      const yoArgs = SUB_GENERATORS.has(args[0]) ? [`dagster-location:${args[0]}`, ...args.slice(1)] : ['dagster-location', ...args];
      const fromBin = bin(viaBin, args);
      const fromYo = yo(viaYo, yoArgs);
      const label = `dagster-location ${args.join(' ')}`;
      if (refused) {
        assert.equal(fromBin.status, 1, `${label}: ${fromBin.stderr}`);
        assert.notEqual(fromYo.status, 0, `${label} under yo`);
        assert.ok(fromYo.stderr.includes(fromBin.stderr.replace(/^\s*Error: /, '').trim()), `${label}: ${fromYo.stderr}`);
      } else {
        assert.equal(fromBin.stderr, fromYo.stderr, `${label}: stderr`);
        assert.equal(fromBin.stdout, fromYo.stdout, `${label}: stdout`);
        assert.equal(fromBin.status, fromYo.status, `${label}: exit code`);
      }
      const a = snapshot(viaBin);
      const b = snapshot(viaYo);
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${label}: the same files`);
      for (const [file, bytes] of a) assert.ok(bytes.equals(b.get(file)!), `${label}: ${file} is the same either way`);
    }
    return viaBin;
  }

  it('a new location, a refused one, ClickHouse and doctor --fix on the tidy example', function () {
    this.timeout(900_000);
    const dir = sameAsYo(EXAMPLE, [
      { args: ['network_analytics', 'analytics', '4002', '--dry-run'] },
      { args: ['network_analytics', 'analytics', '4002', '--force', '--skip-install'] },
      { args: ['ledger_sync', 'analytics', '4003', '--force', '--skip-install'], refused: true },
      { args: ['clickhouse', 'network_analytics', '--force'] },
      { args: ['doctor', '--fix', '--force', '--skip-install'], before: (copy) => rmSync(join(copy, 'environments', 'network_analytics.env.template')) },
    ]);
    assert.ok(exists(dir, 'src/network_analytics/clickhouse/__init__.py'), 'the steps ran');
  });

  it('the phases one by one (package, docker, ci, env) on the messy monorepo', function () {
    this.timeout(900_000);
    const dir = sameAsYo(MESSY, [
      { args: ['package', 'data_quality', 'dq', '4005', '--force', '--skip-install'] },
      { args: ['docker', 'data_quality', 'dq', '4005', '--force'] },
      { args: ['ci', 'data_quality', 'dq', '4005', '--force'] },
      { args: ['env', 'data_quality', 'dq', '4005', '--force'] },
    ]);
    assert.ok(exists(dir, 'src/data_quality/pyproject.toml'));
  });

  // Without git the run's lock sits beside the root pyproject.toml and quotes the command line
  // (yo's or the bin's): the leftover-mention scan must not read it.
  it('rename and remove on the tidy example', function () {
    this.timeout(900_000);
    const dir = sameAsYo(EXAMPLE, [
      { args: ['rename', 'vanguard_wholesale', 'wholesale_trading', '--force', '--skip-install'] },
      { args: ['remove', 'wholesale_trading', '--force', '--skip-install'] },
    ]);
    assert.ok(!exists(dir, 'src/wholesale_trading'), 'the steps ran');
  });
});
