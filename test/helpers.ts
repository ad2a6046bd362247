/**
 * Test helpers: copy a fixture monorepo to a temporary folder, run a generator on it the way a
 * user would (from TypeScript sources through yeoman-test, or the built bin as a process), and
 * compare files before and after.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffChars, diffLines } from 'diff';
import helpers from 'yeoman-test';

export const PROJECT = fileURLToPath(new URL('..', import.meta.url));
export const EXAMPLE = join(PROJECT, 'example');
export const MESSY = join(PROJECT, 'test', 'fixtures', 'messy');
export const REALWORLD = join(PROJECT, 'test', 'fixtures', 'realworld');
export const BIN = join(PROJECT, 'dist', 'bin', 'dagster-location.js');

/** A fresh copy of a fixture monorepo in a temporary folder. */
export function copyFixture(source: string = EXAMPLE): string {
  const dir = mkdtempSync(join(tmpdir(), 'dagster-location-'));
  cpSync(source, dir, { recursive: true });
  return dir;
}

/** Every file under a folder, relative path → bytes. */
export function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      const full = join(folder, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

/** Files added, changed and removed between two snapshots. */
export function changes(before: Map<string, Buffer>, after: Map<string, Buffer>) {
  const added = [...after.keys()].filter((f) => !before.has(f)).sort();
  const changed = [...after.keys()].filter((f) => before.has(f) && !before.get(f)!.equals(after.get(f)!)).sort();
  const removed = [...before.keys()].filter((f) => !after.has(f)).sort();
  return { added, changed, removed };
}

export type GeneratorName = 'app' | 'package' | 'clickhouse' | 'docker' | 'ci' | 'env' | 'doctor' | 'remove' | 'rename';

/**
 * Run a generator from its TypeScript source in `dir` (real files on disk), with command-line
 * arguments and options, non-interactive and with --force unless the options say otherwise.
 */
export async function runGenerator(
  name: GeneratorName,
  dir: string,
  args: string[],
  options: Record<string, unknown> = {},
  answers?: Record<string, unknown>,
) {
  const resolved = join(PROJECT, 'generators', name, 'index.ts');
  const { default: Generator } = (await import(resolved)) as { default: new (...a: never[]) => never };
  const context = helpers
    .run(Generator as never, { namespace: `dagster-location:${name}`, resolved }, { force: Boolean(options.force ?? true), dryRun: Boolean(options.dryRun) })
    .cd(dir)
    .withArguments(args)
    .withOptions({ interactive: false, skipInstall: true, ...options } as never);
  if (answers) context.withAnswers(answers);
  return context;
}

/** Run the built bin as a process in `cwd`; stdin closed, no terminal. */
export function runBin(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    input: '',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: result.stdout + result.stderr };
}

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

export function exists(dir: string, path: string): boolean {
  return existsSync(join(dir, path));
}

/**
 * The text chunks `after` adds to `before`, when it only adds: deleting them gives back the
 * original byte for byte. Undefined when anything of the original was removed or rewritten.
 */
export function addedChunks(before: string, after: string): string[] | undefined {
  // Whole inserted lines when the edit only inserts lines (a character diff would split an added
  // block wherever its characters happen to match the original's); characters otherwise.
  const lines = diffLines(before, after);
  if (!lines.some((p) => p.removed)) return lines.filter((p) => p.added).map((p) => p.value);
  const parts = diffChars(before, after);
  if (parts.some((p) => p.removed)) return undefined;
  return parts.filter((p) => p.added).map((p) => p.value);
}

/** Added chunks must each be whitespace/commas around text that names the new location. */
export function assertOnlyAdds(before: string, after: string, mentions: RegExp): string[] {
  const chunks = addedChunks(before, after);
  if (!chunks) throw new Error(`the edit removed or rewrote original text:\n${after}`);
  for (const chunk of chunks) {
    if (/^[\s,]*$/.test(chunk)) continue;
    if (!mentions.test(chunk)) throw new Error(`an added chunk does not mention the new location: ${JSON.stringify(chunk)}`);
  }
  return chunks;
}
