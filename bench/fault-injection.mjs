// `node bench/fault-injection.mjs [options]`: what a run killed while writing leaves behind, and
// what two runs started together do, for an older build that writes files in place ("before")
// and for this one ("now"). Build first (`npm run build`).
//
// Kills: on fresh copies of example/, the quick start's command
// (`network_analytics analytics 4002 --force --skip-install`) is run with a fault at each write
// point of the run in turn (bench/fault-preload.mjs: each open for writing, each first write with
// half of its bytes written, each rename, of a file in the monorepo or a journal), once with
// SIGKILL and once with SIGTERM. Right after the kill, a tree is "half-written" when it is neither
// the original nor the full result (stray temporary files and the lock are not counted), and a
// file is "truncated" when its bytes are neither its original nor its new version. Then the same
// command is run again (what a user does next), and the tree must be exactly the full result.
// Two runs: fresh copies, two processes started together adding network_analytics and
// fraud_detection; an update is lost when a run exits 0 but `doctor --json` finds its location
// missing from some registry.
//
// Options:
//   --before REV   the older build (default 5b777f8, the last revision that wrote in place);
//                  built from `git archive` into a temporary folder
//   --only before|now
//   --every N      inject at every N-th point only (default 1: all)
//   --signals KILL,TERM   (default both)
//   --pairs N      pairs of simultaneous runs (default 10; 0 to skip)
// Prints a table; writes bench/results/fault-injection.md. Takes a few hundred runs of the bin
// (about 10 minutes on 2 free cores); `--every 4 --pairs 4` for a quick look.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(PROJECT, 'example');
const PRELOAD = join(PROJECT, 'bench', 'fault-preload.mjs');
const ADD = ['network_analytics', 'analytics', '4002', '--force', '--skip-install'];
const OTHER = ['fraud_detection', 'fraud', '4003', '--force', '--skip-install'];

function parseOptions(argv) {
  const options = { before: '5b777f8', only: undefined, every: 1, signals: ['KILL', 'TERM'], pairs: 10 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--before') options.before = value();
    else if (flag === '--only') options.only = value();
    else if (flag === '--every') options.every = Number(value());
    else if (flag === '--signals') options.signals = value().split(',').map((s) => s.replace(/^SIG/, ''));
    else if (flag === '--pairs') options.pairs = Number(value());
    else throw new Error(`unknown option ${argv[i]} (see the header of bench/fault-injection.mjs)`);
  }
  return options;
}

/** dist/ of an older revision, compiled with this project's TypeScript and node_modules. */
function buildRevision(rev) {
  const dir = mkdtempSync(join(os.tmpdir(), 'fault-before-'));
  const archive = spawnSync('git', ['-C', PROJECT, 'archive', rev], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${rev}: ${archive.stderr}`);
  execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  symlinkSync(join(PROJECT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, [join(PROJECT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/copy-templates.mjs'], { cwd: dir, stdio: 'inherit' });
  return join(dir, 'dist', 'bin', 'dagster-location.js');
}

function copyExample() {
  const dir = mkdtempSync(join(os.tmpdir(), 'fault-repo-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

function snapshot(dir) {
  const files = new Map();
  const walk = (folder) => {
    for (const entry of readdirSync(folder)) {
      const full = join(folder, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

const stray = (path) => /\.dagster-location-tmp-\d+$|\.dagster-location\.lock(\.\d+\.draft|\.takeover)?$/.test(path);

function sameTree(a, b, { ignoreStray = false } = {}) {
  const keys = (m) => [...m.keys()].filter((k) => !(ignoreStray && stray(k))).sort();
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a.get(k).equals(b.get(k)));
}

function run(bin, cwd, args, env = {}) {
  const result = spawnSync(process.execPath, ['--import', PRELOAD, bin, ...args], {
    cwd,
    encoding: 'utf8',
    input: '',
    env: { ...process.env, NO_COLOR: '1', FAULT_ROOT: cwd, ...env },
    timeout: 120_000,
  });
  return result;
}

function runAsync(bin, cwd, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.resume();
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

function killCases(bin, signals, every) {
  const reference = copyExample();
  const original = snapshot(reference);
  const countFile = join(mkdtempSync(join(os.tmpdir(), 'fault-count-')), 'points');
  const clean = run(bin, reference, ADD, { FAULT_COUNT_FILE: countFile });
  if (clean.status !== 0) throw new Error(`the run without a fault failed:\n${clean.stderr}`);
  const full = snapshot(reference);
  const points = Number(readFileSync(countFile, 'utf8'));
  const rows = [];
  for (const signal of signals) {
    const row = { signal, points, runs: 0, halfWritten: 0, truncatedRuns: 0, truncatedFiles: 0, emptied: 0, rootEmptied: 0, notFullAfterNext: 0 };
    for (let at = 1; at <= points; at += every) {
      const dir = copyExample();
      run(bin, dir, ADD, { FAULT_AT: String(at), FAULT_SIGNAL: `SIG${signal}` });
      const after = snapshot(dir);
      row.runs++;
      if (!sameTree(after, original, { ignoreStray: true }) && !sameTree(after, full, { ignoreStray: true })) row.halfWritten++;
      let truncated = 0;
      for (const [path, bytes] of after) {
        if (stray(path)) continue;
        if (original.get(path)?.equals(bytes) || full.get(path)?.equals(bytes)) continue;
        truncated++;
        if (bytes.length === 0) row.emptied++;
        if (path === 'pyproject.toml' && bytes.length === 0) row.rootEmptied++;
      }
      if (truncated > 0) row.truncatedRuns++;
      row.truncatedFiles += truncated;
      run(bin, dir, ADD);
      if (!sameTree(snapshot(dir), full)) row.notFullAfterNext++;
      rmSync(dir, { recursive: true, force: true });
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    rows.push(row);
  }
  rmSync(reference, { recursive: true, force: true });
  return rows;
}

async function pairCases(bin, pairs) {
  const row = { pairs, bothSucceeded: 0, oneLocked: 0, lostUpdates: 0, otherFailures: 0 };
  for (let i = 0; i < pairs; i++) {
    const dir = copyExample();
    const results = await Promise.all([runAsync(bin, dir, ADD), runAsync(bin, dir, OTHER)]);
    const ok = results.map((r) => r.status === 0);
    if (ok[0] && ok[1]) row.bothSucceeded++;
    const locked = results.filter((r) => r.status !== 0 && /locked by pid \d+/.test(r.stderr)).length;
    row.oneLocked += locked;
    row.otherFailures += results.filter((r) => r.status !== 0 && !/locked by pid \d+/.test(r.stderr)).length;
    const doctor = spawnSync(process.execPath, [bin, 'doctor', '--json'], { cwd: dir, encoding: 'utf8' });
    let audit;
    try {
      audit = JSON.parse(doctor.stdout);
    } catch {
      audit = { locations: [] };
    }
    const registered = (name) => audit.locations.some((l) => l.name === name && Object.values(l.registered).every(Boolean));
    if ((ok[0] && !registered('network_analytics')) || (ok[1] && !registered('fraud_detection'))) row.lostUpdates++;
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  return row;
}

/** A copy of this build's dist/, so that a rebuild while the bench runs does not change what it measures. */
function snapshotBuild() {
  if (!existsSync(join(PROJECT, 'dist', 'bin', 'dagster-location.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const dir = mkdtempSync(join(os.tmpdir(), 'fault-now-'));
  cpSync(join(PROJECT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(PROJECT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(PROJECT, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'dist', 'bin', 'dagster-location.js');
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const now = snapshotBuild();
  const builds = [];
  if (options.only !== 'now') builds.push({ name: `before (${options.before})`, bin: buildRevision(options.before) });
  if (options.only !== 'before') builds.push({ name: 'now', bin: now });

  const lines = [
    `Fault injection on copies of example/, \`dagster-location ${ADD.join(' ')}\`; Node ${process.versions.node}, ${os.cpus().length} cores.`,
    '',
    '| build | signal | write points | runs | half-written trees | runs with a truncated file | truncated files (empty) | root pyproject.toml emptied | not the full result after the next run |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const pairLines = ['', '| build | pairs of runs started together | both succeeded | refused as locked | other failures | lost updates |', '|---|---|---|---|---|---|'];
  for (const build of builds) {
    process.stderr.write(`${build.name}: kills\n`);
    for (const r of killCases(build.bin, options.signals, options.every)) {
      lines.push(`| ${build.name} | SIG${r.signal} | ${r.points} | ${r.runs} | ${r.halfWritten} | ${r.truncatedRuns} | ${r.truncatedFiles} (${r.emptied}) | ${r.rootEmptied} | ${r.notFullAfterNext} |`);
    }
    if (options.pairs > 0) {
      process.stderr.write(`${build.name}: two runs at once\n`);
      const p = await pairCases(build.bin, options.pairs);
      pairLines.push(`| ${build.name} | ${p.pairs} | ${p.bothSucceeded} | ${p.oneLocked} | ${p.otherFailures} | ${p.lostUpdates} |`);
    }
  }
  const report = [...lines, ...(options.pairs > 0 ? pairLines : [])].join('\n') + '\n';
  process.stdout.write(`\n${report}`);
  mkdirSync(join(PROJECT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(PROJECT, 'bench', 'results', 'fault-injection.md'), report);
}

await main();
