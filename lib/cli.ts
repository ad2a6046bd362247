/**
 * The `dagster-location [sub-generator] <args> [options]` command: the package's generators without `yo`.
 * The command line is checked against the declared table (lib/commands.ts) before anything
 * runs: help, the version, or a refusal with a suggestion (exit 2). Then the environment is
 * rooted at the monorepo (so paths print relative to it) and the options reach the generators
 * camelCased, as under `yo`.
 *
 * Yeoman's environment and the commit's modules are imported only once a generator is to run:
 * help, the version and a refusal load nothing but the table (and the colours). The build
 * bundles this module with all it imports (scripts/bundle.mjs); the bin's fast path answers
 * help, the version and a refusal before it loads that bundle.
 */
import { setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import { answerCommandLine, errorText, EXIT } from './command-line.js';
import { GENERATOR_NAMES, type GeneratorName } from './commands.js';

const NAMESPACE = 'dagster-location';

function generatorPath(name: string): string {
  return fileURLToPath(new URL(`../generators/${name}/index.js`, import.meta.url));
}

/**
 * The generator a command runs, imported here rather than by Yeoman from its path: written out
 * one by one so that the build's bundle of this module (scripts/bundle.mjs) holds them, and
 * the bin loads one file instead of the generators' and Yeoman's few hundred modules.
 */
const GENERATOR_MODULES: Record<GeneratorName, () => Promise<{ default: unknown }>> = {
  app: () => import('../generators/app/index.js'),
  package: () => import('../generators/package/index.js'),
  clickhouse: () => import('../generators/clickhouse/index.js'),
  docker: () => import('../generators/docker/index.js'),
  ci: () => import('../generators/ci/index.js'),
  env: () => import('../generators/env/index.js'),
  doctor: () => import('../generators/doctor/index.js'),
  remove: () => import('../generators/remove/index.js'),
  rename: () => import('../generators/rename/index.js'),
};

export async function main(argv: string[]): Promise<number> {
  // Put back a change a killed run left half-made, and nothing else (no generator runs).
  if (argv[0] === 'recover') return (await import('./durable.js')).recoverCommand(process.cwd(), argv.slice(1));
  const command = answerCommandLine(argv);
  if (typeof command === 'number') return command;

  const [{ createEnv }, { cancelMessage, isCancellation }, { findMonorepoRoot }, { default: Generator }] = await Promise.all([
    import('yeoman-environment'),
    import('./commit.js'),
    import('./monorepo.js'),
    GENERATOR_MODULES[command.generator](),
  ]);
  // Ctrl-C outside a prompt (inside one, the prompt rejects and the run stops below).
  const onInterrupt = () => {
    process.stderr.write(`\n${cancelMessage()}\n`);
    process.exit(EXIT.cancelled);
  };
  process.once('SIGINT', onInterrupt);
  // Each composed generator's prompts listen on the adapter's abort signal: more than Node's
  // default of 10 is expected here, not a leak.
  setMaxListeners(50);
  const cwd = findMonorepoRoot(process.cwd()) ?? process.cwd();
  const env = createEnv({ cwd, logCwd: cwd });
  const packagePath = fileURLToPath(new URL('../..', import.meta.url));
  // The one to run as its class, under the path yo would load it from (its templates are found
  // from there); the others by path, loaded only if asked for.
  for (const name of GENERATOR_NAMES) {
    const meta = { namespace: `${NAMESPACE}:${name}`, resolved: generatorPath(name), packagePath };
    if (name === command.generator) env.register(Generator, meta);
    else env.register(meta.resolved, meta);
  }
  try {
    await env.run([`${NAMESPACE}:${command.generator}`, ...command.args], command.options);
    return 0;
  } catch (error) {
    const err = error as Error & { exitCode?: number };
    if (isCancellation(err)) {
      process.stderr.write(`\n${cancelMessage()}\n`);
      return EXIT.cancelled;
    }
    const expected = ['UsageError', 'NothingWrittenError', 'EditError', 'CommandLineError'].includes(err.name);
    process.stderr.write(`\n${errorText(expected ? err.message : `${err.message} (set DEBUG=1 for the stack)`)}`);
    if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`);
    return err.exitCode ?? EXIT.failure;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
