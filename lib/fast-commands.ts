/**
 * The bin's way in: what needs no generator runs without loading Yeoman. A read-only
 * `dagster-location doctor` (no --fix) reads the monorepo and audits it with the same modules
 * the doctor generator uses (lib/monorepo.ts, lib/audit.ts, lib/doctor-report.ts) and prints
 * the same bytes with the same exit code; `--help`, `--version` and a refused command line are
 * answered from the declared table (lib/command-line.ts), as lib/cli.ts answers them. Everything
 * else, and a doctor run that has something other than findings to say (no monorepo here, a file
 * that does not parse, .yo-resolve rules to announce), runs through the generators, so that
 * those messages have one source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import { importBundled } from './code-cache.js';
import { answerCommandLine } from './command-line.js';
import { CommandLineError, parseCommandLine } from './commands.js';
import { journalFile } from './journal.js';
import type { Reader } from './monorepo.js';

/**
 * The bin's main: the read-only doctor, help, the version and a refusal here; anything else
 * (and `recover`, which is no generator) through lib/cli.ts, the bundle of Yeoman and the generators.
 */
export async function fastMain(argv: string[]): Promise<number> {
  const code = await fastDoctor(argv);
  if (code !== undefined) return code;
  if (argv[0] !== 'recover') {
    const answered = answerCommandLine(argv);
    if (typeof answered === 'number') return answered;
  }
  const { main } = await importBundled('cli', () => import('./cli.js'));
  return main(argv);
}

/**
 * `dagster-location doctor [--json]` without Yeoman: the exit code, or undefined when the command
 * line is not a read-only doctor or the audit has something to say that the generator says.
 * Writes nothing; the findings go to stdout and the closing line to stderr, as the generator does.
 */
export async function fastDoctor(argv: string[], cwd: string = process.cwd()): Promise<number | undefined> {
  let options: Record<string, string | boolean>;
  try {
    const command = parseCommandLine(argv);
    if (command.kind !== 'run' || command.generator !== 'doctor' || command.options.fix) return undefined;
    options = command.options;
  } catch (error) {
    if (error instanceof CommandLineError) return undefined;
    throw error;
  }
  // The audit's modules, once the command line is known to need them (not for --help).
  const [{ auditMonorepo }, { useColor }, { readOnlyOutput, readOnlyVerdict }, { diskLister, findMonorepoRoot, readMonorepo, yoResolveFolders }] = await Promise.all([
    import('./audit.js'),
    import('./color.js'),
    import('./doctor-report.js'),
    import('./monorepo.js'),
  ]);
  const root = findMonorepoRoot(cwd);
  // A killed run's journal is put back by the generator path before anything is read.
  if (!root || existsSync(journalFile(root))) return undefined;
  // Nothing is written while the doctor reads: each file is read once (the model and every
  // registry's audit ask for the same Dockerfiles and YAML files again).
  const texts = new Map<string, string | undefined>();
  const compiler = new OptimizingCompiler();
  const read: Reader = (path) => {
    if (!texts.has(path)) {
      try {
        const text = readFileSync(join(root, path), 'utf8');
        texts.set(path, text);
        compiler.read(text.length);
      } catch {
        texts.set(path, undefined);
      }
    }
    return texts.get(path);
  };
  let output: string;
  let verdict: string | undefined;
  try {
    const model = readMonorepo(root, read, diskLister(root));
    if (hasYoResolve(yoResolveFolders(model))) return undefined;
    const audit = auditMonorepo(model, read, diskLister(root));
    output = readOnlyOutput(audit, { json: Boolean(options.json), color: useColor(process.stdout) });
    verdict = readOnlyVerdict(audit);
  } catch {
    // The generator reports a file that cannot be read with its file:line, the same way as
    // every other command.
    return undefined;
  } finally {
    compiler.restore();
  }
  process.stdout.write(output);
  if (verdict === undefined) return 0;
  process.stderr.write(`${verdict}\n`);
  return 1;
}

/**
 * Whether a `.yo-resolve` file could apply to this run (at the root, above it, or in a member's
 * folders): the generator announces its rules before the audit.
 */
function hasYoResolve(folders: string[]): boolean {
  return folders.some((dir) => existsSync(join(dir, '.yo-resolve')));
}

/**
 * V8's optimizing compiler (TurboFan) off while the doctor reads a small monorepo. Its audit of a
 * typical repo is a couple of hundred milliseconds of code that runs a few times each: the
 * compiler's work (on the other core, and the deoptimizations after it) does not pay back in so
 * short a run, and the doctor is what a pre-commit hook runs at every commit. Measured with whole
 * processes on Node 20 (see the README's Benchmark): without it the doctor at 20 locations was
 * about 1.25× faster, at 100 locations about 10% slower (hence OPTIMIZE_FROM_BYTES), and a new
 * location slower at 20 locations (so only the doctor does this). `--turbofan` is the flag to
 * toggle: re-raising `--max-opt` does not bring optimized code back for functions that ran while
 * it was low. A flag of the user's own about it is left alone.
 */
class OptimizingCompiler {
  static readonly OPTIMIZE_FROM_BYTES = 400_000;
  private bytes = 0;
  private off = false;

  constructor() {
    if (process.execArgv.some((arg) => /^--(no-)?(turbofan|opt)$/.test(arg))) return;
    v8.setFlagsFromString('--no-turbofan');
    this.off = true;
  }

  /** Count text read; a repo this large keeps the audit running long enough to pay back. */
  read(length: number): void {
    this.bytes += length;
    if (this.bytes >= OptimizingCompiler.OPTIMIZE_FROM_BYTES) this.restore();
  }

  restore(): void {
    if (!this.off) return;
    v8.setFlagsFromString('--turbofan');
    this.off = false;
  }
}
