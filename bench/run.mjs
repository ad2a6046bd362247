// `npm run bench [-- options]`: the bin's start-up and how its cost grows with the monorepo, against
// bare Node (`node -e 1`) measured in the same rounds. Whole processes of the built bin (run
// `npm run build` first), timed over several runs on synthetic monorepos of 2, 20 and 100 code
// locations (bench/make-monorepo.mjs).
//
// Cases: `node -e 1`, `--help` and `--version` (no monorepo work, no Yeoman), a full
// non-interactive new location `bench_new benchnew --skip-install --force` (each run in a fresh
// copy of the monorepo, copied outside the timed region), the read-only `doctor`, the same new
// location through `yo dagster-location` (yo's own start-up plus the work; reported, no target),
// and a new location beside a large pipelines file.
// Wall time: process.hrtime around spawnSync. CPU (user+sys) and peak RSS: GNU time
// (`/usr/bin/time`, Debian package `time`) when installed. Ratios: the median of same-round
// pairs. With the bundles' code cache (lib/code-cache.ts, in a fresh folder the warm-up fills)
// and without it (DAGSTER_LOCATION_CODE_CACHE=off), to show what it is worth, and under Node 24.
//
// Options:
//   --runs N        timed runs per case (default 7), after --warmup N untimed runs (default 1)
//   --sizes 2,20,100  numbers of code locations
//   --quick         3 runs, no Node 24, no run without the code cache
//   --node24 / --no-node24   force / skip the Node 24 columns (default: when `npx -y node@24` works)
//   --keep          keep the temporary folder with the monorepos
//   --no-yo         skip the `yo dagster-location` case
//   --pipelines-mb N  size of the large-pipelines case (default 5; 0 skips it): a new location in
//                   the 2-location monorepo whose bitbucket-pipelines.yml is grown to N MB
//                   (growPipelines); its targets are absolute (3 s, 300 MB on Node 20)
//
// Where the time goes: `node bench/profile.mjs [--locations 100] [-- <bin arguments>]`.
// A report, not an assertion: the targets print PASS or MISS and the exit code is 0 either way
// (non-zero only when the bench itself cannot run). Results: bench/results/latest.{json,md}.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { growPipelines, makeMonorepo, verifyMonorepo } from './make-monorepo.mjs';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
// The bench runs a snapshot of dist/ (with package.json) under bench/results/tmp/, so a rebuild
// while it runs cannot mix two builds in one report; node_modules still resolve from the project.
const SNAPSHOTS = join(PROJECT, 'bench', 'results', 'tmp');
let BIN = join(PROJECT, 'dist', 'bin', 'dagster-location.js');
const RESULTS = join(PROJECT, 'bench', 'results');
const TIME = '/usr/bin/time';
const NEW_LOCATION = ['bench_new', 'benchnew', '--skip-install', '--force'];
const YO = join(PROJECT, 'node_modules', 'yo', 'lib', 'cli.js');

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------
function parseOptions(argv) {
  const options = { runs: 7, warmup: 1, sizes: [2, 20, 100], node24: 'auto', keep: false, quick: false, pipelinesMb: 5, yo: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--runs') options.runs = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--sizes') options.sizes = value().split(',').map(Number);
    else if (flag === '--quick') options.quick = true;
    else if (flag === '--node24') options.node24 = 'yes';
    else if (flag === '--no-node24') options.node24 = 'no';
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--no-yo') options.yo = false;
    else if (flag === '--pipelines-mb') options.pipelinesMb = Number(value());
    else throw new Error(`unknown option ${argv[i]} (see the header of bench/run.mjs)`);
  }
  if (options.quick) {
    options.runs = Math.min(options.runs, 3);
    if (options.node24 === 'auto') options.node24 = 'no';
  }
  if (!(options.runs >= 1) || !(options.warmup >= 0)) throw new Error('--runs must be >= 1 and --warmup >= 0');
  if (!(options.pipelinesMb >= 0)) throw new Error('--pipelines-mb must be >= 0');
  if (options.sizes.some((n) => !Number.isInteger(n) || n < 2)) throw new Error('--sizes: integers >= 2');
  options.sizes = [...new Set(options.sizes)].sort((a, b) => a - b);
  return options;
}

// ---------------------------------------------------------------------------------------------
// Measuring one process
// ---------------------------------------------------------------------------------------------
const hasTime = existsSync(TIME) && spawnSync(TIME, ['-f', '%U', 'true'], { encoding: 'utf8' }).status === 0;

/**
 * Runs `node argv` in cwd (argv: the script and its arguments, or `-e 1`); wall time in ms, and
 * CPU / peak RSS from GNU time when available.
 */
function measure(runtime, argv, cwd, timeFile, caseEnv = {}) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  delete env.DAGSTER_LOCATION_CODE_CACHE;
  Object.assign(env, runtime.env, caseEnv);
  const [command, commandArgs] = hasTime ? [TIME, ['-f', '%U %S %M', '-o', timeFile, runtime.node, ...argv]] : [runtime.node, argv];
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  let cpuMs;
  let maxRssKb;
  if (hasTime) {
    // GNU time prefixes "Command exited with non-zero status N" on failure: the figures are the last line.
    const line = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1);
    const [user, sys, rss] = line.split(' ').map(Number);
    cpuMs = (user + sys) * 1000;
    maxRssKb = rss;
  }
  if (result.error) throw result.error;
  return { wallMs, cpuMs, maxRssKb, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function summarize(samples) {
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.map((s) => s.cpuMs).filter((x) => x !== undefined);
  const rss = samples.map((s) => s.maxRssKb).filter((x) => x !== undefined);
  return {
    status: 'ok',
    wallMs: { median: median(wall), min: Math.min(...wall), max: Math.max(...wall), samples: wall.map(round1) },
    cpuMs: cpu.length === wall.length ? { median: median(cpu), min: Math.min(...cpu), max: Math.max(...cpu), samples: cpu } : null,
    maxRssKb: rss.length ? median(rss) : null,
  };
}

const round1 = (x) => Math.round(x * 10) / 10;
const tail = (text, lines = 6) => text.trim().split('\n').slice(-lines).join('\n');

/**
 * One run of one case: `prepare()` gives its cwd (called outside the timed region);
 * `check(result, cwd)` returns an error message or undefined.
 */
function sampleOnce({ runtime, argv, env, prepare, cleanup = () => {}, check }, timeFile) {
  const cwd = prepare();
  try {
    const result = measure(runtime, argv, cwd, timeFile, env);
    const problem = check(result, cwd);
    if (problem) return { status: 'error', note: problem };
    return { status: 'ok', sample: result };
  } finally {
    cleanup(cwd);
  }
}

// ---------------------------------------------------------------------------------------------
// Runtimes: this Node with the bundles' code cache on (the bin's default) and off; Node 24 from
// the npm registry's `node` package, with it on.
// ---------------------------------------------------------------------------------------------
function nodeVersion(node) {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

function findNode24(notes) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  process.stdout.write('Looking for Node 24 (npx -y node@24)... ');
  const found = spawnSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], { encoding: 'utf8', timeout: 600_000 });
  const path = found.status === 0 ? found.stdout.trim().split('\n').at(-1) : '';
  if (!path || !existsSync(path)) {
    console.log('not available');
    notes.push(`Node 24 not available (npx -y node@24 failed: ${tail(found.stderr ?? String(found.error), 1)})`);
    return undefined;
  }
  console.log(path);
  return path;
}

function runtimes(options, tmp, notes) {
  // Each runtime's code cache (lib/code-cache.ts) in a fresh folder: the warm-up run writes it.
  const cacheIn = (name) => {
    const folder = join(tmp, name);
    mkdirSync(folder, { mode: 0o700 });
    return folder;
  };
  const list = [{ id: 'current', label: `Node ${process.version}, code cache on (the bin's default)`, node: process.execPath, env: { DAGSTER_LOCATION_CODE_CACHE: cacheIn('code-cache') } }];
  if (!options.quick) list.push({ id: 'current-off', label: `Node ${process.version}, code cache off`, node: process.execPath, env: { DAGSTER_LOCATION_CODE_CACHE: 'off' } });
  if (options.node24 === 'no') return list;
  const node24 = findNode24(notes);
  if (!node24) {
    if (options.node24 === 'yes') throw new Error('--node24: Node 24 is not available here');
    return list;
  }
  const version = nodeVersion(node24);
  list.push({ id: 'node24', label: `Node ${version}, code cache on (the bin's default)`, node: node24, env: { DAGSTER_LOCATION_CODE_CACHE: cacheIn('code-cache-24'), NODE_COMPILE_CACHE: cacheIn('compile-cache-24') } });
  return list;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
/**
 * The targets: absolute median wall times and peak RSS, and ratios (median of same-round pairs).
 * `mid` is the 20-location monorepo (or the middle size asked for).
 */
const TARGETS = (sizes) => {
  const [small, large] = [sizes[0], sizes.at(-1)];
  const mid = sizes.includes(20) ? 20 : sizes[Math.floor(sizes.length / 2)];
  return [
    { label: `doctor (${mid} locations)`, case: `doctor-${mid}`, limit: 350, unit: 'ms' },
    { label: `doctor (${mid} locations) / node -e 1`, num: `doctor-${mid}`, den: 'node', limit: 4 },
    { label: '--help', case: 'help', limit: 250, unit: 'ms' },
    { label: '--version', case: 'version', limit: 250, unit: 'ms' },
    { label: `new location (${mid} locations)`, case: `new-${mid}`, limit: 700, unit: 'ms' },
    { label: `new location (${large}) / new location (${small})`, num: `new-${large}`, den: `new-${small}`, limit: 1.5 },
    { label: 'large pipelines: new location', case: 'new-pipelines', limit: 3000, unit: 'ms' },
    { label: 'large pipelines: peak RSS', case: 'new-pipelines', limit: 300, unit: 'MB' },
  ];
};

function verdicts(results, runtimeList, sizes) {
  return TARGETS(sizes).map((t) => {
    const values = {};
    for (const rt of runtimeList) {
      if (t.case) {
        const r = results[rt.id][t.case];
        const value = r?.status !== 'ok' ? null : t.unit === 'MB' ? (r.maxRssKb === null ? null : r.maxRssKb / 1024) : r.wallMs.median;
        values[rt.id] = value === null ? { value: null, verdict: r?.status ?? 'not run' } : { value: Math.round(value), verdict: value <= t.limit ? 'PASS' : 'MISS' };
        continue;
      }
      const num = results[rt.id][t.num];
      const den = results[rt.id][t.den];
      if (num?.status !== 'ok' || den?.status !== 'ok') {
        values[rt.id] = { value: null, cpu: null, verdict: num?.status === 'ok' ? den?.status ?? 'not run' : num?.status ?? 'not run' };
        continue;
      }
      const value = pairedRatio(num.wallMs.samples, den.wallMs.samples);
      const cpu = num.cpuMs && den.cpuMs ? pairedRatio(num.cpuMs.samples, den.cpuMs.samples) : null;
      values[rt.id] = {
        value: Math.round(value * 1000) / 1000,
        cpu: cpu === null ? null : Math.round(cpu * 1000) / 1000,
        verdict: value <= t.limit ? 'PASS' : 'MISS',
      };
    }
    return { label: t.label, limit: t.limit, unit: t.unit ?? 'x', values };
  });
}

/**
 * The median of the ratios of samples taken in the same round. The cases of a round run one
 * after another, so a slow stretch of a shared machine weighs on both sides of each ratio,
 * where a ratio of two medians can pair a calm sample with a busy one.
 */
function pairedRatio(num, den) {
  return median(num.map((x, i) => x / den[i]));
}

function cell(r, node) {
  if (!r) return '-';
  if (r.status !== 'ok') return r.status;
  const times = node?.status === 'ok' && r !== node ? `, ${pairedRatio(r.wallMs.samples, node.wallMs.samples).toFixed(1)}× node` : '';
  const wall = `${Math.round(r.wallMs.median)} ms (${Math.round(r.wallMs.min)}-${Math.round(r.wallMs.max)}${times})`;
  const cpu = r.cpuMs ? `${wall}, cpu ${Math.round(r.cpuMs.median)}` : wall;
  return r.maxRssKb ? `${cpu}, ${Math.round(r.maxRssKb / 1024)} MB` : cpu;
}

function markdown(report) {
  const { runtimes: rts, cases, results } = report;
  const lines = [];
  lines.push(`# Benchmark: ${report.date}`, '');
  lines.push(`Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGb} GB, ${report.machine.os}.`);
  lines.push(`Runtimes: ${rts.map((r) => r.label).join('; ')}. ${report.runs} timed runs per case after ${report.warmup} warm-up.`);
  lines.push(
    `Cells: median wall time (min-max, the median of same-round ratios to \`node -e 1\`)${report.timeTool ? ', median user+sys CPU ms and median peak RSS (GNU time)' : ''}.`,
    '',
  );
  lines.push(`| case | ${rts.map((r) => r.label).join(' | ')} |`, `|---|${rts.map(() => '---').join('|')}|`);
  for (const c of cases) lines.push(`| ${c.label} | ${rts.map((r) => cell(results[r.id][c.id], results[r.id].node)).join(' | ')} |`);
  lines.push('', `| target (ratios: median of same-round pairs, wall (cpu)) | limit | ${rts.map((r) => r.label).join(' | ')} |`, `|---|---|${rts.map(() => '---').join('|')}|`);
  for (const t of report.targets) {
    const limit = t.unit === 'x' ? `<= ${t.limit}×` : `<= ${t.limit} ${t.unit}`;
    lines.push(`| ${t.label} | ${limit} | ${rts.map((rt) => {
      const v = t.values[rt.id];
      if (v.value === null) return v.verdict;
      if (t.unit !== 'x') return `${v.value} ${t.unit} ${v.verdict}`;
      return `${v.value.toFixed(2)} ${v.verdict}${v.cpu === null ? '' : ` (cpu ${v.cpu.toFixed(2)})`}`;
    }).join(' | ')} |`);
  }
  if (report.notes.length) lines.push('', ...report.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

/**
 * The new location through `yo dagster-location` in the mid-size monorepo. yo finds the generator
 * through NODE_PATH (a folder linking the snapshot as generator-dagster-location); run as root it
 * switches to another user, so the folders it reads and writes are opened to everyone.
 */
function yoCase(repo, n, tmp, snapshot) {
  const base = join(tmp, 'yo');
  mkdirSync(join(base, 'node_modules'), { recursive: true });
  mkdirSync(join(base, 'home'));
  symlinkSync(snapshot, join(base, 'node_modules', 'generator-dagster-location'));
  for (const dir of [tmp, snapshot, base]) spawnSync('chmod', ['-R', 'a+rwX', dir]);
  const args = ['dagster-location', ...NEW_LOCATION, '--no-insight'];
  return {
    id: `yo-new-${n}`,
    label: `\`yo dagster-location\` new location (${n} locations)`,
    argv: [YO, ...args],
    command: `yo ${args.join(' ')}`,
    env: { HOME: join(base, 'home'), NODE_PATH: join(base, 'node_modules'), NO_UPDATE_NOTIFIER: '1' },
    fresh: repo,
    open: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------
function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(BIN)) {
    console.error(`${BIN} is missing: run \`npm run build\` first.`);
    return 2;
  }
  mkdirSync(SNAPSHOTS, { recursive: true });
  const snapshot = mkdtempSync(join(SNAPSHOTS, 'build-'));
  cpSync(join(PROJECT, 'dist'), join(snapshot, 'dist'), { recursive: true });
  copyFileSync(join(PROJECT, 'package.json'), join(snapshot, 'package.json'));
  BIN = join(snapshot, 'dist', 'bin', 'dagster-location.js');
  const notes = [];
  if (!hasTime) notes.push('GNU time not found at /usr/bin/time (Debian: `apt-get install time`): wall time only.');
  const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const tmp = mkdtempSync(join(os.tmpdir(), 'dagster-location-bench-'));
  const timeFile = join(tmp, 'time.txt');
  try {
    const repos = {};
    for (const n of options.sizes) {
      repos[n] = join(tmp, `monorepo-${n}`);
      makeMonorepo(n, repos[n]);
      verifyMonorepo(repos[n], n);
    }
    let grown;
    if (options.pipelinesMb > 0) {
      repos.pipelines = join(tmp, 'monorepo-pipelines');
      makeMonorepo(2, repos.pipelines);
      grown = growPipelines(repos.pipelines, options.pipelinesMb * 1e6);
    }
    console.log(`Build: snapshot of dist/ in ${relative(PROJECT, snapshot)}`);
    console.log(`Synthetic monorepos (${options.sizes.join(', ')} code locations) in ${tmp}`);
    const runtimeList = runtimes(options, tmp, notes);

    const mid = options.sizes.includes(20) ? 20 : options.sizes[Math.floor(options.sizes.length / 2)];
    const cases = [
      { id: 'node', label: '`node -e 1` (bare Node)', argv: ['-e', '1'], command: 'node -e 1', cwd: repos[options.sizes[0]] },
      { id: 'help', label: '`--help`', args: ['--help'], cwd: repos[options.sizes[0]] },
      { id: 'version', label: '`--version`', args: ['--version'], cwd: repos[options.sizes[0]] },
      ...options.sizes.map((n) => ({ id: `new-${n}`, label: `new location (${n} locations)`, args: NEW_LOCATION, fresh: repos[n] })),
      ...options.sizes.map((n) => ({ id: `doctor-${n}`, label: `doctor (${n} locations)`, args: ['doctor'], cwd: repos[n] })),
      ...(options.yo ? [yoCase(repos[mid], mid, tmp, snapshot)] : []),
      ...(grown ? [{ id: 'new-pipelines', label: `new location (2 locations, ${(grown.bytes / 1e6).toFixed(1)} MB pipelines)`, args: NEW_LOCATION, fresh: repos.pipelines }] : []),
    ];

    // Round-robin: every round runs each case once, so a burst of load on a shared machine is
    // spread over the cases instead of skewing one of them. Round 0.. warmup-1 are not timed.
    let copy = 0;
    const spec = (runtime, c) => ({
      runtime,
      argv: c.argv ?? [BIN, ...c.args],
      env: c.env,
      prepare: () => {
        if (!c.fresh) return c.cwd;
        const dir = join(tmp, `work-${copy++}`);
        cpSync(c.fresh, dir, { recursive: true });
        if (c.open) spawnSync('chmod', ['-R', 'a+rwX', dir]);
        return dir;
      },
      cleanup: (dir) => { if (c.fresh) rmSync(dir, { recursive: true, force: true }); },
      check: (r, cwd) => {
        if (r.status !== 0) return `exit ${r.status}: ${tail(r.stderr || r.stdout)}`;
        if (c.fresh && !existsSync(join(cwd, 'src', 'bench_new', 'definitions.py'))) return 'exit 0 but src/bench_new/definitions.py was not written';
        return undefined;
      },
    });
    const results = {};
    for (const runtime of runtimeList) {
      results[runtime.id] = {};
      const samples = Object.fromEntries(cases.map((c) => [c.id, []]));
      for (let round = 0; round < options.warmup + options.runs; round++) {
        if (process.stdout.isTTY) process.stdout.write(`\r${runtime.label}: ${round < options.warmup ? 'warm-up' : `run ${round - options.warmup + 1}/${options.runs}`}   `);
        else if (round === 0) process.stdout.write(`${runtime.label}: ${options.warmup} warm-up + ${options.runs} runs per case`);
        for (const c of cases) {
          if (results[runtime.id][c.id]) continue; // an error: stop running it
          const outcome = sampleOnce(spec(runtime, c), timeFile);
          if (outcome.status !== 'ok') results[runtime.id][c.id] = outcome;
          else if (round >= options.warmup) samples[c.id].push(outcome.sample);
        }
      }
      console.log('');
      for (const c of cases) {
        results[runtime.id][c.id] ??= summarize(samples[c.id]);
        const r = results[runtime.id][c.id];
        console.log(`  ${c.label.padEnd(28)} ${r.status === 'ok' ? cell(r) : `${r.status}: ${r.note}`}`);
      }
    }

    notes.push(`Load average at start / end: ${loadStart} / ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes compete for the ${os.cpus().length} cores; compare the CPU columns too).`);
    const report = {
      date: new Date().toISOString(),
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
      },
      node: process.version,
      runs: options.runs,
      warmup: options.warmup,
      sizes: options.sizes,
      timeTool: hasTime ? 'GNU time (/usr/bin/time -f "%U %S %M")' : null,
      runtimes: runtimeList.map(({ id, label, node, env }) => ({ id, label, version: nodeVersion(node), codeCache: env.DAGSTER_LOCATION_CODE_CACHE !== 'off' })),
      cases: cases.map(({ id, label, args, command }) => ({ id, label, command: command ?? `dagster-location ${args.join(' ')}` })),
      results,
      targets: verdicts(results, runtimeList, options.sizes),
      notes,
    };
    if (runtimeList.some((r) => r.id === 'current-off')) {
      const gains = cases
        .filter((c) => results.current[c.id]?.status === 'ok' && results['current-off'][c.id]?.status === 'ok')
        .map((c) => `${c.id} ${Math.round((1 - results.current[c.id].wallMs.median / results['current-off'][c.id].wallMs.median) * 100)}%`);
      notes.push(`Code cache saves (Node ${process.version}, median wall): ${gains.join(', ')}.`);
    }

    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    const md = markdown(report);
    writeFileSync(join(RESULTS, 'latest.md'), md);
    console.log(`\n${md}\nWritten: bench/results/latest.json, bench/results/latest.md`);
    return 0;
  } finally {
    if (options.keep) console.log(`Kept ${tmp} and ${snapshot}`);
    else {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(snapshot, { recursive: true, force: true });
      if (readdirSync(SNAPSHOTS).length === 0) rmSync(SNAPSHOTS, { recursive: true, force: true });
    }
  }
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exitCode = 2;
}
