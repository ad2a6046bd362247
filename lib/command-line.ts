/**
 * What the command line alone answers, before any generator: help, the version, or a refusal
 * with a suggestion (exit 2). The bin's fast path (lib/fast-commands.ts) answers these without
 * loading lib/cli.ts and Yeoman; lib/cli.ts asks the same when it is called directly.
 */
import { CommandLineError, formatHelp, packageVersion, parseCommandLine, type ParsedCommand } from './commands.js';
import { paint, useColor } from './color.js';

/** Exit codes: 1 a refusal or failure, 2 a command line not understood, 130 cancelled. */
export const EXIT = { failure: 1, usage: 2, cancelled: 130 } as const;

/** An error message for stderr, its prefix coloured only where stderr takes colour. */
export function errorText(message: string, stream: { isTTY?: boolean } = process.stderr): string {
  return `${paint(useColor(stream)).red('Error:')} ${message}\n`;
}

export type RunCommand = Extract<ParsedCommand, { kind: 'run' }>;

/** The exit code when the command line is answered here (printed), or the generator run it asks for. */
export function answerCommandLine(argv: string[]): number | RunCommand {
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
  return command;
}
