/**
 * Writes that cannot half-happen. The approved files of a run are written as one change:
 *
 * 1. Each target is checked: it stays inside the monorepo (links resolved), and its bytes are
 *    still those the run read at its start (else: refused, nothing written, the file named).
 * 2. A journal is written and fsynced (file and folder) before anything else: for every target,
 *    its original bytes and mode, or that it did not exist; the folders the run creates.
 * 3. Each new content goes to a temporary file beside its target
 *    (`.<name>.dagster-location-tmp-<pid>`), fsynced.
 * 4. Each temporary file is renamed over its target (atomic: a reader, or a crash, sees the old
 *    file or the new one, never a part), then the folders are fsynced.
 * 5. The journal is removed: that is the moment the change is made.
 *
 * A failure in 3–4 puts back every original from the journal. A kill (or power loss) leaves the
 * journal behind; the next run, or `dagster-location recover`, puts the original tree back before
 * doing anything else. SIGINT and SIGTERM during 2–5 are held until the change is complete (the
 * whole sequence is synchronous and takes milliseconds), then the process exits as the signal asks.
 *
 * The journal lives in `.git/dagster-location-journal/` when the root is a git work tree, else in
 * the OS temporary folder under a name derived from the root's path.
 *
 * `DAGSTER_LOCATION_FAULT=<action>@<step>` injects a failure at one step of the sequence, for the
 * fault-injection tests and benchmark: `kill` (SIGKILL), `throw` (an error), `sigterm` or `sigint`
 * (the signal, sent to the process itself). Steps are numbered from 1: writing the journal (the
 * fault fires when half of it is written), each temporary file (likewise), each rename or removal,
 * and removing the journal.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { commandLine, gitDir } from './lock.js';
import { linkEscape, realTarget } from './repo-files.js';

/** One file of the change: its new contents, or null to delete it. */
export interface PlannedWrite {
  path: string;
  contents: Buffer | null;
  /** The mode a new file gets (an existing file keeps its own unless this differs). */
  mode?: number;
}

export interface DurableOptions {
  /** The monorepo root: nothing outside it is written; the journal is keyed by it. */
  root: string;
  /** The bytes the run read at its start (null: did not exist; undefined: never read). */
  expected?: (path: string) => Buffer | null | undefined;
  /** Where to say what happened (a signal held, a recovery); default stderr. */
  note?: (message: string) => void;
}

/** Refused before anything was written (a link out of the repo, a file changed since read). */
export class WriteRefused extends Error {
  override name = 'WriteRefused';
}

interface JournalEntry {
  path: string;
  existed: boolean;
  /** Original bytes, base64, when it existed. */
  original?: string;
  mode?: number;
  temp?: string;
}

interface Journal {
  version: 1;
  pid: number;
  command: string;
  started: string;
  root: string;
  entries: JournalEntry[];
  createdDirs: string[];
}

export function journalDir(root: string): string {
  const git = gitDir(root);
  if (git) return join(git, 'dagster-location-journal');
  const key = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16);
  return join(tmpdir(), `dagster-location-journal-${key}`);
}

export function journalFile(root: string): string {
  return join(journalDir(root), 'journal.json');
}

export function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.dagster-location-tmp-${process.pid}`);
}

// ---------------------------------------------------------------- fault injection

type FaultAction = 'kill' | 'throw' | 'sigterm' | 'sigint';

class Faults {
  private step = 0;
  private readonly action?: FaultAction;
  private readonly at?: number;

  constructor(spec = process.env.DAGSTER_LOCATION_FAULT) {
    const match = spec ? /^(kill|throw|sigterm|sigint)@(\d+)$/.exec(spec) : null;
    if (match) [this.action, this.at] = [match[1] as FaultAction, Number(match[2])];
  }

  /** One step of the sequence: fire the configured fault if this is its step. */
  hit(what: string): void {
    this.step++;
    if (this.step !== this.at) return;
    switch (this.action) {
      case 'kill':
        process.kill(process.pid, 'SIGKILL');
        break;
      case 'sigterm':
        process.kill(process.pid, 'SIGTERM');
        break;
      case 'sigint':
        process.kill(process.pid, 'SIGINT');
        break;
      default:
        throw new Error(`fault injected at step ${this.step} (${what})`);
    }
  }
}

// ---------------------------------------------------------------- the durable write

/** Write every planned file as one change (see the module comment). */
export function writeDurably(plan: PlannedWrite[], options: DurableOptions): void {
  if (plan.length === 0) return;
  const { root } = options;
  const note = options.note ?? ((message: string) => process.stderr.write(`${message}\n`));
  const targets = resolveTargets(plan, options);
  const createdDirs = newFolders(targets.map((t) => t.real));
  const journal: Journal = {
    version: 1,
    pid: process.pid,
    command: commandLine(),
    started: new Date().toISOString(),
    root,
    entries: targets.map(({ real, current, contents }) => ({
      path: real,
      existed: current !== null,
      original: current?.toString('base64'),
      mode: current !== null ? statSync(real).mode : undefined,
      temp: contents !== null ? tempName(real) : undefined,
    })),
    createdDirs,
  };

  const faults = new Faults();
  const held = holdSignals(note);
  let committed = false;
  try {
    writeJournal(root, journal, faults);
    try {
      for (const dir of new Set(targets.map((t) => dirname(t.real)))) mkdirSync(dir, { recursive: true });
      targets.forEach((target, i) => {
        if (target.contents === null) return;
        const entry = journal.entries[i];
        writeFileDurably(entry.temp!, target.contents, target.mode ?? entry.mode, faults, `write ${relative(root, target.real)}`, entry.existed ? entry.path : undefined);
      });
      for (const [i, target] of targets.entries()) {
        const entry = journal.entries[i];
        faults.hit(`${entry.temp ? 'rename' : 'remove'} ${relative(root, target.real)}`);
        if (entry.temp) renameSync(entry.temp, target.real);
        else rmSync(target.real, { recursive: true, force: true });
      }
      syncFolders([...new Set(targets.map((t) => dirname(t.real)))]);
      faults.hit('remove journal');
      // The change is made once the journal is gone; until then a crash means "put everything back".
      removeJournal(root, { strict: true });
      committed = true;
    } catch (error) {
      putBack(journal);
      removeJournal(root);
      throw error;
    }
  } finally {
    held.release(committed);
  }
}

interface Target {
  real: string;
  current: Buffer | null;
  contents: Buffer | null;
  mode?: number;
}

/** Every target inside the root and unchanged since the run read it; else WriteRefused. */
function resolveTargets(plan: PlannedWrite[], options: DurableOptions): Target[] {
  const { root } = options;
  const seen = new Set<string>();
  return plan.map(({ path, contents, mode }) => {
    const escape = linkEscape(root, path, contents === null ? 'remove' : exists(path) ? 'edit' : 'create');
    if (escape) throw new WriteRefused(escape);
    const real = realTarget(path);
    if (seen.has(real)) throw new WriteRefused(`${relative(root, path)} is written twice in one change (through a link).`);
    seen.add(real);
    const current = readOrNull(real);
    const expected = options.expected?.(path);
    if (expected !== undefined && !sameBytes(expected, current)) {
      throw new WriteRefused(
        `${relative(root, path)} changed on disk while this run was working (it was ${expected === null ? 'absent' : `${expected.length} bytes`} ` +
          `when read, it is ${current === null ? 'absent' : `${current.length} bytes`} now): run again to work from the new version.`,
      );
    }
    return { real, current, contents, mode };
  });
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** The outermost missing folders above the targets (what a rollback removes), outermost first. */
function newFolders(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    let missing: string | undefined;
    for (let dir = dirname(path); !exists(dir); dir = dirname(dir)) missing = dir;
    if (missing) dirs.add(missing);
  }
  return [...dirs].sort();
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** Write, fsync and close a file; `owner` is a file whose owner it takes (an edit run as root). */
function writeFileDurably(path: string, bytes: Buffer, mode: number | undefined, faults: Faults | undefined, step: string, owner?: string): void {
  const fd = openSync(path, 'w', mode !== undefined ? mode & 0o7777 : 0o666);
  try {
    const half = Math.floor(bytes.length / 2);
    writeAll(fd, bytes.subarray(0, half));
    faults?.hit(step);
    writeAll(fd, bytes.subarray(half));
    if (mode !== undefined) fchmodSync(fd, mode & 0o7777);
    if (owner && process.getuid?.() === 0) {
      const stat = statSync(owner);
      try {
        fchownSync(fd, stat.uid, stat.gid);
      } catch {
        // Not permitted here (a rootless container): the file stays ours.
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function syncFolders(dirs: string[]): void {
  for (const dir of dirs) {
    let fd: number | undefined;
    try {
      fd = openSync(dir, 'r');
      fsyncSync(fd);
    } catch {
      // A folder cannot be fsynced on some systems; the files were.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

function writeJournal(root: string, journal: Journal, faults: Faults): void {
  const dir = journalDir(root);
  mkdirSync(dir, { recursive: true });
  const file = journalFile(root);
  const draft = `${file}.${process.pid}.draft`;
  try {
    writeFileDurably(draft, Buffer.from(JSON.stringify(journal)), 0o600, faults, 'write journal');
    renameSync(draft, file);
  } catch (error) {
    rmSync(draft, { force: true });
    throw error;
  }
  syncFolders([dir, dirname(dir)]);
}

function removeJournal(root: string, options: { strict?: boolean } = {}): void {
  const dir = journalDir(root);
  try {
    rmSync(journalFile(root), { force: true });
  } catch (error) {
    if (options.strict) throw error;
    return;
  }
  syncFolders([dir]);
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (another file left there): harmless.
  }
}

/** Put every journaled file back as it was; remove the temporary files and the new folders. */
function putBack(journal: Journal): { restored: string[]; removed: string[] } {
  const restored: string[] = [];
  const removed: string[] = [];
  for (const entry of journal.entries) {
    if (entry.temp) rmSync(entry.temp, { force: true });
    const original = entry.original !== undefined ? Buffer.from(entry.original, 'base64') : null;
    const now = readOrNull(entry.path);
    if (sameBytes(original, now)) continue;
    if (original === null) {
      rmSync(entry.path, { recursive: true, force: true });
      removed.push(entry.path);
    } else {
      mkdirSync(dirname(entry.path), { recursive: true });
      const temp = tempName(entry.path);
      writeFileDurably(temp, original, entry.mode, undefined, '', undefined);
      renameSync(temp, entry.path);
      restored.push(entry.path);
    }
  }
  for (const dir of [...journal.createdDirs].reverse()) rmSync(dir, { recursive: true, force: true });
  syncFolders([...new Set([...journal.entries.map((e) => dirname(e.path)), ...journal.createdDirs.map((d) => dirname(d))])].filter(exists));
  return { restored, removed };
}

// ---------------------------------------------------------------- recovery

export interface Recovery {
  pid: number;
  command: string;
  started: string;
  /** Files put back as they were, and files the run had created that were removed (relative to the root). */
  restored: string[];
  removed: string[];
}

/**
 * If a killed run left its journal, put its original tree back and remove the journal. The
 * caller holds the monorepo's lock, so the journal is not that of a live run.
 */
export function recoverJournal(root: string): Recovery | undefined {
  const dir = journalDir(root);
  const file = journalFile(root);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  // A journal still being written when its run was killed never reached its name: nothing had been changed yet.
  for (const name of safeList(dir)) if (name.endsWith('.draft')) rmSync(join(dir, name), { force: true });
  if (text === undefined) {
    removeJournal(root);
    return undefined;
  }
  let journal: Journal;
  try {
    journal = JSON.parse(text) as Journal;
  } catch {
    throw new Error(`The journal ${file} cannot be read; it was left by an interrupted run. Restore the repository from version control and delete it.`);
  }
  const { restored, removed } = putBack(journal);
  removeJournal(root);
  const names = (paths: string[]) => paths.map((path) => relative(root, path));
  return { pid: journal.pid, command: journal.command, started: journal.started, restored: names(restored), removed: names(removed) };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function describeRecovery(recovery: Recovery): string {
  const { restored, removed } = recovery;
  const done = [
    restored.length > 0 ? `put back ${restored.length} file(s) as they were before it (${restored.join(', ')})` : '',
    removed.length > 0 ? `removed ${removed.length} file(s) it had created (${removed.join(', ')})` : '',
  ].filter(Boolean);
  return (
    `Found the journal of a run that was interrupted while writing (pid ${recovery.pid}: ${recovery.command}, started ${recovery.started}); ` +
    (done.length > 0 ? `${done.join('; ')}. The monorepo is as it was before that run.` : 'it had not changed any file yet.')
  );
}

// ---------------------------------------------------------------- signals

let signalState: { writing: boolean; outcome: string; note: (message: string) => void } | undefined;

/**
 * Hold SIGINT and SIGTERM while the change is being made. The sequence is synchronous, so a
 * handler runs once it is complete (or rolled back); then the process exits as the signal asks
 * (128 + its number, after the exit handlers, which release the lock). The handlers are installed
 * at the first commit and stay: removing them right after could drop a signal that arrived during
 * the commit but had not yet reached JavaScript. Later, they only exit as the signal would.
 */
function holdSignals(note: (message: string) => void): { release(committed: boolean): void } {
  if (!signalState) {
    const state = (signalState = { writing: false, outcome: '', note });
    const handler = (signal: NodeJS.Signals) => {
      if (state.writing) return; // cannot happen: the commit does not yield; kept for safety
      if (state.outcome) state.note(`${signal} received: ${state.outcome} before stopping.`);
      process.exit(128 + (osConstants.signals[signal] ?? 1));
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
  const state = signalState;
  state.writing = true;
  state.note = note;
  return {
    release(committed) {
      state.writing = false;
      state.outcome = committed ? 'the change was completed' : 'the change was rolled back';
      // A signal handle does not keep the process alive: give one that came during the commit
      // a few turns of the event loop to reach its handler, even if nothing else is left to do.
      setTimeout(() => {}, 25);
    },
  };
}
