// The quick start's first command: copy the bundled example monorepo to a temporary folder,
// add the guide's example location there non-interactively, and show what changed.
//   npm run example [-- <package_name> [short_name] [port] [options]]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = fileURLToPath(new URL('..', import.meta.url));
const bin = join(project, 'dist', 'bin', 'dagster-location.js');
const run = (command, args, options = {}) => spawnSync(command, args, { stdio: 'inherit', ...options });

if (!existsSync(bin)) run('npm', ['run', 'build'], { cwd: project });

const repo = mkdtempSync(join(tmpdir(), 'rev-sci-dagster-'));
cpSync(join(project, 'example'), repo, { recursive: true });
const git = (...args) => spawnSync('git', ['-c', 'user.name=example', '-c', 'user.email=example@localhost', ...args], { cwd: repo, encoding: 'utf8' });
const hasGit = git('init', '-q').status === 0 && git('add', '-A').status === 0 && git('commit', '-qm', 'example monorepo').status === 0;

const given = process.argv.slice(2);
const args = given.length > 0 ? given : ['network_analytics', 'analytics', '4002', '--clickhouse', '--description', 'Network analytics: traffic and latency marts'];
console.log(`$ cd ${repo}\n$ dagster-location ${args.join(' ')} --skip-install --force\n`);
const result = run(process.execPath, [bin, ...args, '--skip-install', '--force', '--no-interactive'], { cwd: repo });
if (result.status !== 0) process.exit(result.status ?? 1);

if (hasGit) {
  git('add', '-A');
  console.log('\n$ git diff --cached --stat');
  console.log(git('diff', '--cached', '--stat').stdout);
  console.log('$ git diff --cached -- . (changes to existing files)');
  console.log(git('diff', '--cached', '--diff-filter=M').stdout);
}
console.log(`The changed monorepo is in ${repo}`);
