/**
 * The `dagster-location [sub-generator] <args> [options]` command: the package's generators without `yo`.
 * Same generators, arguments and options as `yo dagster-location[:sub]`; the environment is
 * rooted at the monorepo (so paths print relative to it) and options reach the generators
 * camelCased, as under `yo`.
 */
import { setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createEnv } from 'yeoman-environment';
import { findMonorepoRoot } from './monorepo.js';

export const SUB_GENERATORS = ['app', 'package', 'clickhouse', 'docker', 'ci', 'env', 'doctor', 'remove', 'rename'] as const;
const NAMESPACE = 'dagster-location';

/** Flags every generator accepts that belong to Yeoman's environment (conflicter, install). */
const ENVIRONMENT_FLAGS = ['force', 'dry-run', 'bail', 'skip-install', 'skip-cache'];

export interface ParsedCommand {
  generator: string;
  args: string[];
  options: Record<string, string | boolean>;
}

export function parseCommandLine(argv: string[]): ParsedCommand {
  const rest = [...argv];
  const generator = SUB_GENERATORS.includes(rest[0] as never) ? rest.shift()! : 'app';
  const args: string[] = [];
  const options: Record<string, string | boolean> = {};
  while (rest.length > 0) {
    const word = rest.shift()!;
    if (word === '--') {
      args.push(...rest.splice(0));
    } else if (word === '-h' || word === '--help') {
      options.help = true;
    } else if (word.startsWith('--no-')) {
      options[camelCase(word.slice(5))] = false;
    } else if (word.startsWith('--')) {
      const [name, value] = word.slice(2).split(/=(.*)/s, 2);
      const takesValue = name === 'description';
      options[camelCase(name)] = value ?? (takesValue ? (rest.shift() ?? '') : true);
    } else {
      args.push(word);
    }
  }
  return { generator, args, options };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function generatorPath(name: string): string {
  return fileURLToPath(new URL(`../generators/${name}/index.js`, import.meta.url));
}

export async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv);
  if (command.options.help && command.generator === 'app' && command.args.length === 0) {
    process.stdout.write(
      `Usage: dagster-location [${SUB_GENERATORS.filter((g) => g !== 'app').join('|')}] <arguments> [options]\n\n` +
        'Without a sub-generator: the whole guide for a new location (phases 1-7).\n' +
        `Environment flags for every sub-generator: ${ENVIRONMENT_FLAGS.map((f) => `--${f}`).join(' ')}\n` +
        'Help for one: dagster-location <sub-generator> --help\n\n',
    );
  }
  // Each composed generator's prompts listen on the adapter's abort signal: more than Node's
  // default of 10 is expected here, not a leak.
  setMaxListeners(50);
  const cwd = findMonorepoRoot(process.cwd()) ?? process.cwd();
  const env = createEnv({ cwd, logCwd: cwd });
  for (const name of SUB_GENERATORS) {
    const path = generatorPath(name);
    env.register(path, { namespace: `${NAMESPACE}:${name}`, packagePath: fileURLToPath(new URL('../..', import.meta.url)) });
  }
  try {
    await env.run([`${NAMESPACE}:${command.generator}`, ...command.args], command.options);
    return 0;
  } catch (error) {
    const err = error as Error;
    process.stderr.write(`\n${err.name === 'UsageError' || err.name === 'NothingWrittenError' || err.name === 'EditError' ? '' : 'Error: '}${err.message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

