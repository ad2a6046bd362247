/**
 * What the real-tool tests ran, for people: each result is appended as one JSON line to the file
 * named by REAL_TOOLS_SUMMARY (when set), which `node test/real-tools/print-summary.mjs FILE`
 * prints as one line per tool and fixture. The tests also print a short table at the end.
 */
import { appendFileSync } from 'node:fs';

export type Status = 'ok' | 'rejected' | 'missing' | 'known';

export interface Entry {
  check: string;
  fixture: string;
  scenario: string;
  status: Status;
  tool?: string;
  detail?: string;
}

const entries: Entry[] = [];

export function record(entry: Entry): void {
  entries.push(entry);
  const file = process.env.REAL_TOOLS_SUMMARY;
  if (file) appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

export function recorded(): readonly Entry[] {
  return entries;
}
