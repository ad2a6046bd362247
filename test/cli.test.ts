/**
 * The declared command table (lib/commands.ts): the bin's parser, help and Yeoman's option
 * declarations all come from it; anything not in it is refused with a suggestion.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARGUMENTS,
  COMMANDS,
  CommandLineError,
  editDistance,
  formatHelp,
  GENERATOR_NAMES,
  OPTIONS,
  optionsFor,
  packageVersion,
  parseCommandLine,
  suggest,
  type GeneratorName,
} from '../lib/commands.js';
import { PROJECT } from './helpers.js';

/** The CommandLineError a command line gets (failing when it parses). */
function refusal(argv: string[]): CommandLineError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    assert.ok(error instanceof CommandLineError, String(error));
    assert.equal(error.exitCode, 2);
    return error;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

function run(argv: string[]) {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'run');
  return parsed as Extract<ReturnType<typeof parseCommandLine>, { kind: 'run' }>;
}

describe('the command line', () => {
  it('a near miss of a sub-generator is a typo, not a new location', () => {
    assert.match(refusal(['docter', '--force', '--skip-install']).message, /"docter" is not a sub-generator\. Did you mean `dagster-location doctor`\?/);
    assert.match(refusal(['clickhous', 'vanguard_wholesale']).message, /Did you mean `dagster-location clickhouse vanguard_wholesale`\?/);
    assert.match(refusal(['pakage', 'x']).message, /dagster-location package x/);
    // Said with `app`, the name is taken as written.
    assert.deepEqual(run(['app', 'docter']).args, ['docter']);
    assert.equal(run(['network_analytics']).generator, 'app');
    assert.equal(run(['doctor']).generator, 'doctor');
  });

  it('refuses options it does not know, suggesting the close one', () => {
    assert.match(refusal(['network_analytics', '--clickhous']).message, /Unknown option --clickhous\. Did you mean --clickhouse\?/);
    assert.match(refusal(['network_analytics', '--frobnicate']).message, /^Unknown option --frobnicate\.\nOptions of dagster-location: --short-name/);
    assert.match(refusal(['network_analytics', '-f']).message, /Unknown option -f\. Did you mean --force\?/);
    assert.match(refusal(['doctor', '-f']).message, /Did you mean --force or --fix\?/);
    assert.match(refusal(['network_analytics', '--no-force']).message, /Unknown option --no-force/);
    assert.match(refusal(['network_analytics', '--force=yes']).message, /--force takes no value/);
    // An option of another sub-generator says whose it is.
    assert.match(refusal(['docker', 'network_analytics', '--clickhouse']).message, /--clickhouse is an option of dagster-location\./);
    assert.match(refusal(['doctor', '--dryrun']).message, /Did you mean --dry-run\?/);
  });

  it('refuses extra arguments', () => {
    assert.match(refusal(['doctor', 'extra_arg']).message, /^doctor takes no arguments \(got extra_arg\)\. Usage: dagster-location doctor \[options\]/);
    assert.match(refusal(['clickhouse', 'a', 'b']).message, /Too many arguments \(b after <location>\)/);
    assert.match(refusal(['x', 'y', '4002', 'z']).message, /Too many arguments \(z after <package_name> \[short_name\] \[port\]\)/);
  });

  it('takes the short name and port as options too; twice and different is refused', () => {
    assert.deepEqual(run(['network_analytics', '--port', '4003']).options, { port: '4003' });
    assert.deepEqual(run(['network_analytics', '--port=4003', '--short-name', 'net']).options, { port: '4003', shortName: 'net' });
    assert.deepEqual(run(['network_analytics', 'net', '4003', '--port', '4003']).args, ['network_analytics', 'net', '4003']);
    assert.match(refusal(['network_analytics', 'net', '4003', '--port', '4004']).message, /\[port\] is given twice: 4003 as an argument and 4004 as --port/);
    assert.match(refusal(['network_analytics', '--port']).message, /--port needs a value/);
    assert.match(refusal(['network_analytics', '--port', '--force']).message, /--port needs a value/);
    assert.match(refusal(['clickhouse', 'vanguard_wholesale', '--port', '4003']).message, /Unknown option --port/);
  });

  it('options reach the generators camelCased, --no- where declared, positional after --', () => {
    assert.deepEqual(run(['network_analytics', '--no-clickhouse', '--dry-run', '--skip-install', '--no-interactive', '--description', 'Text here']).options, {
      clickhouse: false,
      dryRun: true,
      skipInstall: true,
      interactive: false,
      description: 'Text here',
    });
    assert.deepEqual(run(['--force', '--', '--odd']).args, ['--odd']);
  });

  it('--help and --version win over everything; -v only at the top', () => {
    assert.deepEqual(parseCommandLine(['--help']), { kind: 'help', generator: 'app' });
    assert.deepEqual(parseCommandLine(['doctor', '-h', '--frobnicate']), { kind: 'help', generator: 'doctor' });
    assert.deepEqual(parseCommandLine(['--version']), { kind: 'version' });
    assert.deepEqual(parseCommandLine(['-v']), { kind: 'version' });
    assert.match(refusal(['doctor', '-v']).message, /Unknown option -v/);
    const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(packageVersion(), pkg.version);
  });

  it('accepts exactly the options each generator declares', () => {
    for (const generator of GENERATOR_NAMES) {
      const sub = generator === 'app' ? ['x'] : generator === 'doctor' ? ['doctor'] : [generator, 'x'];
      for (const option of OPTIONS.filter((o) => o.name !== 'help')) {
        const argv = [...sub, `--${option.name}`, ...(option.type === 'string' ? ['value'] : [])];
        if (option.generators.includes(generator)) assert.equal(parseCommandLine(argv).kind, 'run', argv.join(' '));
        else refusal(argv);
      }
    }
  });

  it('suggestions are typos only: a small edit distance, the closer start first', () => {
    assert.equal(editDistance('docter', 'doctor'), 1);
    assert.equal(editDistance('dokcer', 'docker'), 1, 'a swap of neighbours is one edit');
    assert.equal(suggest('docter', ['docker', 'doctor']), 'doctor');
    assert.equal(suggest('network_analytics', GENERATOR_NAMES), undefined);
    assert.equal(suggest('cli', ['ci']), 'ci');
    assert.equal(suggest('envs', ['env']), 'env');
    assert.equal(suggest('analytics', GENERATOR_NAMES), undefined);
  });
});

describe('help', () => {
  for (const generator of GENERATOR_NAMES) {
    it(`${generator}: its arguments and only the options it uses, within 100 columns`, () => {
      const help = formatHelp(generator);
      const listed = [...help.matchAll(/^ {2}(?:-\w, | {4})--(?:\[no-\])?([\w-]+)/gm)].map((m) => m[1]);
      assert.deepEqual(listed, [...optionsFor(generator).map((o) => o.name), ...(generator === 'app' ? ['version'] : [])]);
      for (const yeoman of ['skip-cache', 'force-install', 'ask-answered']) assert.ok(!help.includes(`--${yeoman}`), `${yeoman} is not shown`);
      for (const arg of ARGUMENTS[COMMANDS[generator].shape]) assert.ok(help.includes(arg.label), arg.label);
      for (const line of help.split('\n')) assert.ok(line.length <= 100, `${line.length}: ${line}`);
      assert.match(help, generator === 'app' ? /^ {2}yo dagster-location <package_name>/m : new RegExp(`^ {2}yo dagster-location:${generator}\\b`, 'm'));
    });
  }

  it('the top-level help lists every sub-generator with its summary', () => {
    const help = formatHelp('app');
    for (const generator of GENERATOR_NAMES.filter((g) => g !== 'app')) assert.match(help, new RegExp(`^ {2}${generator} +${escape(COMMANDS[generator].summary)}$`, 'm'));
  });
});

describe("the generators' Yeoman declarations come from the table", () => {
  for (const generator of GENERATOR_NAMES) {
    it(`${generator}`, async () => {
      const resolved = join(PROJECT, 'generators', generator, 'index.ts');
      const { default: Generator } = (await import(resolved)) as { default: new (args: string[], options: object) => YeomanView };
      const instance = new Generator([], { help: true, resolved, namespace: `dagster-location:${generator}` });
      const shown = Object.values(instance._options).filter((o) => !o.hide);
      const declared = optionsFor(generator as GeneratorName);
      assert.deepEqual(shown.map((o) => o.name).sort(), declared.map((o) => o.name).sort());
      for (const spec of declared) assert.equal(instance._options[spec.name].type, spec.type === 'boolean' ? Boolean : String, spec.name);
      assert.deepEqual(instance._arguments.map((a) => a.name), ARGUMENTS[COMMANDS[generator].shape].map((a) => a.name));
      // yo prints this: the same text as the bin's --help.
      assert.equal(instance.help(), formatHelp(generator));
    });
  }
});

interface YeomanView {
  _options: Record<string, { name: string; type: unknown; hide?: boolean }>;
  _arguments: Array<{ name: string }>;
  help(): string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
