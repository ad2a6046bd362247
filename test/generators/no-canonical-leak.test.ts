/**
 * Issue 14, "names vs prose": what a new location's run adds holds no spelling of the canonical
 * location's names. For every fixture monorepo, with and without ClickHouse, every new block the
 * run wrote (each created file, each inserted line of each changed file) is searched for every
 * spelling `nameSpellings` gives (snake, kebab, dotted, spaced words, joined; in any case: UPPER,
 * Title, camel) and the short name, as whole words, and the canonical's port as a whole token.
 *
 * A line that lists every location (a one-line array, the new Dockerfile's stub of each member)
 * names the canonical as one of its siblings, not as something copied from it: such a line is
 * allowed when it names every other location too, or when the same block has the line for every
 * other location.
 */
import assert from 'node:assert/strict';
import { diffArrays } from 'diff';
import { diskLister, readMonorepo, type Location } from '../../lib/monorepo.js';
import { escapeRegExp, nameSpellings } from '../../lib/naming.js';
import { renameMentions } from '../../lib/registries/mentions.js';
import { REGISTRIES } from '../../lib/registries/index.js';
import { changes, copyFixture, EXAMPLE, MESSY, REALWORLD, runGenerator, snapshot } from '../helpers.js';

const FIXTURES = [
  ['example', EXAMPLE],
  ['messy', MESSY],
  ['realworld', REALWORLD],
] as const;

/** Every spelling of the location's names, in any case, as a whole word; its port as a whole token. */
function spellingPattern(location: Location): RegExp {
  const words = nameSpellings(location.names).map(escapeRegExp).join('|');
  const port = location.port === undefined ? '' : `|(?<![A-Za-z0-9]|\\d\\.)${location.port}(?![A-Za-z0-9]|\\.\\d)`;
  return new RegExp(`(?<![A-Za-z0-9])(?:${words})(?![A-Za-z0-9])${port}`, 'gi');
}

/** The lines `after` has that `before` has not; a line that only gained a separator (`,`) is not new. */
function insertedLines(before: string, after: string): string[] {
  const split = (t: string) => t.split(/\r?\n/);
  const bare = (line: string) => line.replace(/,\s*$/, '');
  return diffArrays(split(before), split(after), { comparator: (a, b) => bare(a) === bare(b) }).flatMap((part) => (part.added ? part.value : []));
}

/** A line that names the canonical as one location among all of them (see the header). */
function listsEveryLocation(line: string, block: readonly string[], canonical: Location, others: readonly Location[]): boolean {
  const named = (text: string, location: Location) => spellingPattern(location).test(text);
  if (others.length === 0) return false;
  if (others.every((other) => named(line, other))) return true;
  // Aligned columns differ with the names' lengths.
  const spaced = (text: string) => text.replace(/\s+/g, ' ');
  const lines = new Set(block.map(spaced));
  return others.every((other) => {
    const theirs = renameMentions(line, canonical, other);
    return theirs !== line && lines.has(spaced(theirs));
  });
}

interface Leak {
  file: string;
  line: string;
  spellings: string[];
}

/** Every line of every new block that still spells the canonical's names. */
function leaks(blocks: ReadonlyMap<string, string[]>, canonical: Location, others: readonly Location[]): Leak[] {
  const found: Leak[] = [];
  for (const [file, block] of blocks) {
    for (const line of block) {
      const spellings = [...line.matchAll(spellingPattern(canonical))].map((m) => m[0]);
      if (spellings.length > 0 && !listsEveryLocation(line, block, canonical, others)) found.push({ file, line, spellings });
    }
  }
  return found;
}

describe("no spelling of the canonical's names in what a new location adds (issue 14)", () => {
  for (const [label, fixture] of FIXTURES) {
    for (const clickhouse of [false, true]) {
      describe(`${label}, ${clickhouse ? 'with' : 'without'} ClickHouse`, () => {
        const blocks = new Map<string, string[]>();
        let canonical: Location;
        let others: Location[];
        let dir: string;

        before(async () => {
          dir = copyFixture(fixture);
          const model = readMonorepo(dir, (path) => snapshot(dir).get(path)?.toString('utf8'), diskLister(dir));
          canonical = model.canonical!;
          others = model.locations.filter((l) => l !== canonical);
          const original = snapshot(dir);
          await runGenerator('app', dir, ['network_analytics', 'analytics', '4002'], { clickhouse });
          const now = snapshot(dir);
          const { added, changed } = changes(original, now);
          for (const file of added) blocks.set(file, now.get(file)!.toString('utf8').split(/\r?\n/));
          for (const file of changed) blocks.set(file, insertedLines(original.get(file)!.toString('utf8'), now.get(file)!.toString('utf8')));
        });

        it('writes a new block into the file of every registry that has one to add', () => {
          const files = snapshot(dir);
          const read = (path: string) => files.get(path)?.toString('utf8');
          const input = { model: readMonorepo(dir, read, diskLister(dir)), read };
          const target = input.model.locations.find((l) => l.names.snake === 'network_analytics')!;
          const untouched = REGISTRIES.filter((registry) => !registry.files(input, target).some((file) => blocks.has(file)))
            .map((registry) => registry.id);
          // .gitignore has the rule already in every fixture.
          assert.deepEqual(untouched, ['gitignore']);
        });

        it("leaves no spelling of the canonical's names or port in any new block", () => {
          assert.ok(blocks.size > 10, `${blocks.size} new blocks`);
          assert.equal(typeof canonical.port, 'number', 'the port is searched for too');
          assert.deepEqual(leaks(blocks, canonical, others), []);
        });
      });
    }
  }
});
