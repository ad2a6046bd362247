// Prints the real-tool results that the tests appended to FILE (one JSON object a line) as one
// line per tool and fixture, e.g. `uv lock (example): ok (4 results)`. Exits 1 when a tool
// rejected a result or was missing, or when the file holds no result at all.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
const entries = file && existsSync(file)
  ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
  : [];
if (entries.length === 0) {
  console.log('real tools: no result was recorded');
  process.exit(1);
}

const groups = new Map();
// Known rejections are recorded when the tests are collected, before any result: list the
// groups in the order the results came.
for (const entry of [...entries.filter((e) => e.status !== 'known'), ...entries.filter((e) => e.status === 'known')]) {
  const key = `${entry.check}\u0000${entry.fixture}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(entry);
}

let failed = false;
for (const list of groups.values()) {
  const { check, fixture } = list[0];
  const bad = list.filter((e) => e.status === 'rejected' || e.status === 'missing');
  const known = list.filter((e) => e.status === 'known');
  const tool = list.find((e) => e.tool)?.tool;
  let line = `${check} (${fixture}): `;
  if (bad.length) {
    failed = true;
    line += bad.map((e) => `${e.status.toUpperCase()} in "${e.scenario}"${e.detail ? `: ${e.detail.split('\n')[0]}` : ''}`).join('; ');
  } else {
    line += `ok (${list.length - known.length} results${tool ? `, ${tool}` : ''})`;
  }
  if (known.length) line += `; skipped as known: ${known.map((e) => `"${e.scenario}" (${e.detail})`).join(', ')}`;
  console.log(line);
}
process.exit(failed ? 1 : 0);
