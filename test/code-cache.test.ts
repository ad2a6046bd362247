/**
 * The bundles' code cache (lib/code-cache.ts): written when a run ends, taken by the next run,
 * never taken for another text, a damaged file or a folder others can write to. Each load runs
 * in its own process (the cache is written at exit), from dist/ (npm run build first).
 */
import assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_CHANNEL, codeCacheFolder } from '../lib/code-cache.js';
import { BIN, copyFixture, PROJECT, snapshot } from './helpers.js';

const CODE_CACHE = pathToFileURL(join(PROJECT, 'dist', 'lib', 'code-cache.js')).href;

/** Loads `bundle` in a new process with the cache in `folder`: what it exports as `answer`, and whether V8 took the cache. */
function load(bundle: string, folder: string): { answer: unknown; cached: boolean } {
  const script = `
import diagnostics from 'node:diagnostics_channel';
import { loadWithCodeCache } from ${JSON.stringify(CODE_CACHE)};
let cached;
diagnostics.subscribe(${JSON.stringify(BUNDLE_CHANNEL)}, (message) => { cached = message.cached; });
const { answer } = loadWithCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(folder)});
process.stdout.write(JSON.stringify({ answer, cached }));
`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as { answer: unknown; cached: boolean };
}

/** A CommonJS file with some functions to compile. */
function bundleSaying(dir: string, answer: number): string {
  const file = join(dir, 'sample.cjs');
  writeFileSync(file, `const parts = [${answer}, 0].map((n) => n * 1);\nfunction sum(xs) { return xs.reduce((a, b) => a + b, 0); }\nmodule.exports = { answer: sum(parts) };\n`);
  return file;
}

const cachesIn = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.v8'));

describe('code cache of the bundles', () => {
  let dir: string;
  let folder: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
    folder = join(dir, 'cache');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the first run writes it, the next takes it', () => {
    const bundle = bundleSaying(dir, 42);
    assert.deepEqual(load(bundle, folder), { answer: 42, cached: false });
    assert.equal(cachesIn(folder).length, 1);
    assert.equal(statSync(folder).mode & 0o077, 0, 'the folder is the user’s alone');
    assert.deepEqual(load(bundle, folder), { answer: 42, cached: true });
  });

  it('another text of the same length is not given the old cache', () => {
    const bundle = bundleSaying(dir, 42);
    load(bundle, folder);
    bundleSaying(dir, 43);
    assert.deepEqual(load(bundle, folder), { answer: 43, cached: false });
    assert.deepEqual(load(bundle, folder), { answer: 43, cached: true });
  });

  it('a damaged cache is refused, the bundle runs, and the cache is written again', () => {
    const bundle = bundleSaying(dir, 42);
    load(bundle, folder);
    const [file] = cachesIn(folder);
    writeFileSync(join(folder, file), Buffer.alloc(statSync(join(folder, file)).size, 7));
    assert.deepEqual(load(bundle, folder), { answer: 42, cached: false });
    assert.deepEqual(load(bundle, folder), { answer: 42, cached: true });
  });

  it('a folder others can write to is neither read nor written', () => {
    const bundle = bundleSaying(dir, 42);
    load(bundle, folder);
    chmodSync(folder, 0o777);
    const [file] = cachesIn(folder);
    const before = readFileSync(join(folder, file));
    assert.deepEqual(load(bundle, folder), { answer: 42, cached: false });
    assert.deepEqual(readFileSync(join(folder, file)), before);
  });

  it('a bundle with text outside ASCII reads as UTF-8; the built bundles are ASCII (read without decoding)', () => {
    const bundle = join(dir, 'sample.cjs');
    writeFileSync(bundle, "module.exports = { answer: 'caf\u00e9 \u2014 ok'.length + ':' + 'café — ok' };\n");
    assert.deepEqual(load(bundle, folder), { answer: '9:café — ok', cached: false });
    for (const name of ['cli.cjs', 'fast-commands.cjs']) assert.ok(isAscii(readFileSync(join(PROJECT, 'dist', 'lib', name))), name);
  });

  it('where it lives: the variable, else XDG_CACHE_HOME, else ~/.cache; `off` turns it off', () => {
    assert.equal(codeCacheFolder({ DAGSTER_LOCATION_CODE_CACHE: 'off', XDG_CACHE_HOME: '/x' }), undefined);
    assert.equal(codeCacheFolder({ DAGSTER_LOCATION_CODE_CACHE: '/somewhere' }), '/somewhere');
    assert.equal(codeCacheFolder({ XDG_CACHE_HOME: '/x' }), '/x/dagster-location/code-cache');
    assert.match(codeCacheFolder({})!, /\/\.cache\/dagster-location\/code-cache$/);
  });

  it('the bin: a new location takes both bundles from the cache the run before wrote, and writes the same', () => {
    const log = join(dir, 'bundles.txt');
    const hook = join(dir, 'listen.cjs');
    writeFileSync(hook, `require('node:diagnostics_channel').subscribe(${JSON.stringify(BUNDLE_CHANNEL)}, ({ bundle, cached }) => require('node:fs').appendFileSync(${JSON.stringify(log)}, require('node:path').basename(bundle) + ' ' + cached + '\\n'));\n`);
    const run = (repo: string) => {
      writeFileSync(log, '');
      const result = spawnSync(process.execPath, ['--require', hook, BIN, 'network_analytics', '--force', '--skip-install'], {
        cwd: repo,
        encoding: 'utf8',
        input: '',
        env: { ...process.env, NO_COLOR: '1', DAGSTER_LOCATION_CODE_CACHE: folder },
      });
      assert.equal(result.status, 0, result.stderr);
      return { output: result.stdout + result.stderr, bundles: readFileSync(log, 'utf8').trim().split('\n').sort() };
    };
    const [first, second] = [copyFixture(), copyFixture()];
    const cold = run(first);
    assert.deepEqual(cold.bundles, ['cli.cjs false', 'fast-commands.cjs false']);
    assert.equal(cachesIn(folder).length, 2);
    const warm = run(second);
    assert.deepEqual(warm.bundles, ['cli.cjs true', 'fast-commands.cjs true']);
    assert.equal(warm.output.replaceAll(second, first), cold.output);
    assert.deepEqual(snapshot(second), snapshot(first));
  });
});
