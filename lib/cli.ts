/**
 * The `dagster-location [sub-generator] <args> [options]` command: the package's generators without `yo`.
 * The command line is checked against the declared table (lib/commands.ts) before anything
 * runs: help, the version, or a refusal with a suggestion (exit 2). Then the environment is
 * rooted at the monorepo (so paths print relative to it) and the options reach the generators
 * camelCased, as under `yo`.
 *
 * Yeoman's environment and the commit's modules are imported only once a generator is to run:
 * help, the version and a refusal load nothing but the table (and the colours).
 */
import { setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CommandLineError, formatHelp, GENERATOR_NAMES, packageVersion, parseCommandLine, type ParsedCommand } from './commands.js';
import { paint, useColor } from './color.js';

const NAMESPACE = 'dagster-location';


/** Exit codes: 1 a refusal or failure, 2 a command line not understood, 130 cancelled. */
export const EXIT = { failure: 1, usage: 2, cancelled: 130 } as const;

function generatorPath(name: string): string {
  return fileURLToPath(new URL(`../generators/${name}/index.js`, import.meta.url));
}

/** An error message for stderr, its prefix coloured only where stderr takes colour. */
export function errorText(message: string, stream: { isTTY?: boolean } = process.stderr): string {
  return `${paint(useColor(stream)).red('Error:')} ${message}\n`;
}

export async function main(argv: string[]): Promise<number> {
  // Put back a change a killed run left half-made, and nothing else (no generator runs).
  if (argv[0] === 'recover') return (await import('./durable.js')).recoverCommand(process.cwd(), argv.slice(1));
  let command: ParsedCommand;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    const help = error.generator === 'app' ? 'dagster-location --help' : `dagster-location ${error.generator} --help`;
    process.stderr.write(`${errorText(error.message)}(${help} lists what it takes.) Nothing was run.\n`);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    process.stdout.write(formatHelp(command.generator));
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }

  const [{ createEnv }, { cancelMessage, isCancellation }, { findMonorepoRoot }] = await Promise.all([
    import('yeoman-environment'),
    import('./commit.js'),
    import('./monorepo.js'),
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
  for (const name of GENERATOR_NAMES) {
    env.register(generatorPath(name), { namespace: `${NAMESPACE}:${name}`, packagePath: fileURLToPath(new URL('../..', import.meta.url)) });
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
