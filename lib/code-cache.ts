/**
 * The build's bundles (scripts/bundle.mjs: dist/lib/fast-commands.cjs and dist/lib/cli.cjs) are
 * loaded here with V8's code cache: the bytecode of every function a run compiled, written
 * when the run ends, so the next run neither parses 3 MB of JavaScript nor compiles the
 * functions it calls again. Node's own module compile cache (Node 22.1 and later) caches a
 * module as first compiled, before it runs, so most functions still compile at each run; Node 20
 * has none.
 *
 * Where: $DAGSTER_LOCATION_CODE_CACHE, or dagster-location/code-cache in $XDG_CACHE_HOME (else
 * ~/.cache); `DAGSTER_LOCATION_CODE_CACHE=off` turns it off. A cache file is named by the hash of
 * the bundle's bytes, the Node version and the platform: V8 itself refuses a cache made by
 * another version or under other flags, but knows a source only by its length. It is read only from a folder the
 * user owns that no one else can write to (bytecode is code), and replaced whole (renamed into
 * place). Without a cache, or with one V8 refuses, the bundle compiles as usual and the cache is
 * written at exit; any failure to read or write one is ignored.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const CODE_CACHE_VARIABLE = 'DAGSTER_LOCATION_CODE_CACHE';

/**
 * Each bundle loaded, as `{ bundle, cached }` (cached: V8 took the code cache): a bundle is read
 * as text, so module hooks do not see it load; the start-up tests listen here.
 */
export const BUNDLE_CHANNEL = 'dagster-location:bundle';

/** The folder of the code caches, or undefined when turned off. */
export function codeCacheFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env[CODE_CACHE_VARIABLE];
  if (chosen === 'off') return undefined;
  if (chosen) return chosen;
  return join(env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'dagster-location', 'code-cache');
}

/** The cache file of one bundle's text under the running Node. */
function codeCacheFile(folder: string, bundle: string, source: Buffer): string {
  const hash = createHash('sha256').update(`${process.version}\0${process.arch}\0${process.platform}\0`).update(source).digest('hex').slice(0, 32);
  return join(folder, `${basename(bundle, '.cjs')}-${hash}.v8`);
}

/** A folder a cache may be read from: this user's, writable by no one else. */
function trusted(folder: string): boolean {
  try {
    const stat = statSync(folder);
    const uid = process.getuid?.();
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * The bundle `name` (fast-commands or cli) beside this module, run as a CommonJS module with
 * its code cache; `unbundled()` when the build made none (tests and tools that run the sources).
 */
export async function importBundled<T>(name: 'fast-commands' | 'cli', unbundled: () => Promise<T>): Promise<T> {
  const bundle = join(dirname(fileURLToPath(import.meta.url)), `${name}.cjs`);
  if (!existsSync(bundle)) return unbundled();
  return loadWithCodeCache(bundle) as T;
}

/** Runs a CommonJS file with its code cache (see the module's comment); its exports. */
export function loadWithCodeCache(bundle: string, folder: string | undefined = codeCacheFolder()): unknown {
  const bytes = readFileSync(bundle);
  // esbuild writes ASCII (escapes outside strings; a regular expression keeps its characters):
  // then the text is the bytes as they are, without decoding 3 MB of UTF-8.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cacheFile = folder === undefined ? undefined : codeCacheFile(folder, bundle, bytes);
  let cachedData: Buffer | undefined;
  if (cacheFile && trusted(folder!)) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // The wrapper Node gives a CommonJS module, on the first line so that lines keep their numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    // A generator Yeoman loads by its path is imported as the main context would import it.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  if (cacheFile && !cached) process.once('exit', () => writeCodeCache(script, cacheFile));
  diagnostics.channel(BUNDLE_CHANNEL).publish({ bundle, cached });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}

/** Caches kept of one bundle (other versions of the package, other Node versions). */
const KEPT_PER_BUNDLE = 4;

/** The code the run compiled, for the next run; the oldest caches of the same bundle beyond KEPT_PER_BUNDLE go. */
function writeCodeCache(script: vm.Script, cacheFile: string): void {
  try {
    const folder = dirname(cacheFile);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!trusted(folder)) return;
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, cacheFile);
    const prefix = `${basename(cacheFile).replace(/-[0-9a-f]+\.v8$/, '')}-`;
    const caches = readdirSync(folder)
      .filter((entry) => entry.startsWith(prefix) && entry.endsWith('.v8'))
      .map((entry) => ({ path: join(folder, entry), written: statSync(join(folder, entry)).mtimeMs }))
      .sort((a, b) => b.written - a.written);
    for (const old of caches.slice(KEPT_PER_BUNDLE)) unlinkSync(old.path);
  } catch {
    // A cache is an optimisation: a full disk or a read-only home must not fail the command.
  }
}
