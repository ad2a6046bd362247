// Where a run of the bin spends its time: `node --cpu-prof` on one command in a fresh copy of a
// synthetic monorepo, then the top functions by self time and by total (inclusive) time, the self
// time per package, and how often each file was read (fs calls counted by a preloaded hook).
//
//   node bench/profile.mjs [--locations 100] [--pipelines-mb 0] [--top 25] [-- <bin arguments>]
//   (--pipelines-mb N grows bitbucket-pipelines.yml to N MB, as the benchmark's large case does)
//   (default arguments: bench_new benchnew --skip-install --force; `-- --help` profiles the floor)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { growPipelines, makeMonorepo } from './make-monorepo.mjs';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PROJECT, 'dist', 'bin', 'dagster-location.js');

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const binArgs = dash < 0 ? ['bench_new', 'benchnew', '--skip-install', '--force'] : argv.slice(dash + 1);
const flag = (name, fallback) => {
  const i = own.indexOf(name);
  return i < 0 ? fallback : Number(own[i + 1]);
};
const locations = flag('--locations', 100);
const top = flag('--top', 25);
const pipelinesMb = flag('--pipelines-mb', 0);

if (!existsSync(BIN)) {
  console.error(`${BIN} is missing: run \`npm run build\` first.`);
  process.exit(2);
}

const tmp = mkdtempSync(join(os.tmpdir(), 'dagster-location-profile-'));
try {
  const repo = join(tmp, 'monorepo');
  makeMonorepo(locations, repo);
  if (pipelinesMb > 0) growPipelines(repo, pipelinesMb * 1e6);
  const profiles = join(tmp, 'profiles');
  const counts = join(tmp, 'fs-counts.json');
  // Counts synchronous fs reads per path; syncBuiltinESMExports makes `import { readFileSync } from
  // 'node:fs'` see the wrapped functions too.
  const hook = join(tmp, 'count-fs.mjs');
  writeFileSync(hook, `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const counts = {};
for (const name of ['readFileSync', 'existsSync', 'readdirSync', 'statSync', 'lstatSync', 'realpathSync']) {
  const original = fs[name];
  const wrapped = function (path, ...rest) {
    const key = name + ' ' + String(path);
    counts[key] = (counts[key] ?? 0) + 1;
    return original.call(this, path, ...rest);
  };
  if (original.native) wrapped.native = original.native;
  fs[name] = wrapped;
}
syncBuiltinESMExports();
process.on('exit', () => fs.writeFileSync(${JSON.stringify(counts)}, JSON.stringify(counts)));
`);
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-interval', '200', '--import', hook, BIN, ...binArgs], {
    cwd: repo,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  console.log(`$ dagster-location ${binArgs.join(' ')}   (${locations} locations, exit ${run.status})`);
  if (run.status !== 0) console.log(run.stderr.trim().split('\n').slice(-5).join('\n'));

  const file = readdirSync(profiles).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(profiles, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const where = (frame) => {
    const url = frame.url.replace(/^file:\/\//, '');
    const path = url.startsWith(PROJECT) ? relative(PROJECT, url) : url;
    return `${path || '(native)'}:${frame.functionName || '(anonymous)'}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  };
  const pkg = (frame) => {
    const url = frame.url.replace(/^file:\/\//, '');
    if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1];
    if (url.startsWith(PROJECT)) return `project ${relative(PROJECT, url).split('/').slice(0, 2).join('/')}`;
    return url.startsWith('node:') ? 'node internals' : url;
  };

  // Sample durations: timeDeltas[i] is the time before sample i.
  const self = new Map();
  const total = new Map();
  const packages = new Map();
  let sum = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    sum += dt;
    const node = byId.get(id);
    self.set(where(node.callFrame), (self.get(where(node.callFrame)) ?? 0) + dt);
    packages.set(pkg(node.callFrame), (packages.get(pkg(node.callFrame)) ?? 0) + dt);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const key = where(byId.get(n).callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + dt);
    }
  });
  const show = (title, map, filter = () => true) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${v.toFixed(1).padStart(8)} ms ${((v / sum) * 100).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  console.log(`profiled ${sum.toFixed(0)} ms`);
  show('Self time by package / folder', packages);
  show('Top self time (file:function:line)', self);
  show('Total time of project functions (dist/...)', total, (k) => k.startsWith('dist/'));

  const fsCounts = JSON.parse(readFileSync(counts, 'utf8'));
  const inRepo = Object.entries(fsCounts).filter(([k]) => k.includes(repo));
  const repeated = inRepo.filter(([, v]) => v > 1).sort((a, b) => b[1] - a[1]);
  const calls = (prefix) => Object.entries(fsCounts).filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => s + v, 0);
  console.log(`\nfs calls: readFileSync ${calls('readFileSync')}, existsSync ${calls('existsSync')}, readdirSync ${calls('readdirSync')}, statSync ${calls('statSync')}; in the monorepo ${inRepo.reduce((s, [, v]) => s + v, 0)} on ${inRepo.length} path/call pairs`);
  console.log('Monorepo paths touched more than once:');
  for (const [k, v] of repeated.slice(0, top)) console.log(`  ${String(v).padStart(4)}x ${k.replace(repo, '<repo>')}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
