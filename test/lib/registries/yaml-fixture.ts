/**
 * What the YAML registry specs share besides helpers.ts (the fixture model, the new location):
 * the check that no case variant of the canonical's names is left in the lines an add inserted.
 */
import assert from 'node:assert/strict';
import { diffArrays } from 'diff';
import { parseDocument } from 'yaml';
import type { Registry } from '../../../lib/registries/registry.js';
import { parseYaml } from '../../../lib/editors/yaml.js';
import { fixtureInput } from './helpers.js';

export { addInput, fixtureInput, NEW } from './helpers.js';

function strictlyReadable(text: string, file: string): boolean {
  try {
    parseYaml(text, file);
    return true;
  } catch {
    return false;
  }
}

/** The lines `after` has that `before` has not (an add only inserts lines). */
export function newLines(before: string, after: string): string[] {
  const split = (t: string) => t.split(/\r?\n/);
  return diffArrays(split(before), split(after)).flatMap((part) => (part.added ? part.value : []));
}

/** No spelling of underwriting_ml (Title, UPPER, spaced words, the port) in what was added. */
export function assertNoCanonicalVariant(before: string, after: string): void {
  const added = newLines(before, after).join('\n');
  assert.doesNotMatch(added, /underwriting|\bml\b|(?<![\d.])4001(?![\d])/i, `the new lines still name the canonical:\n${added}`);
}

/** Parse as Compose and Bitbucket do (merge keys), failing on any error; aliases resolved. */
export function yamlJs(text: string): any {
  const doc = parseDocument(text, { merge: true });
  assert.deepEqual(doc.errors.map((e) => e.message), [], 'the result parses');
  return doc.toJS({ maxAliasCount: -1 });
}

/**
 * The doctor and the generators share the predicate: for every location but the canonical, with
 * each one of its constructs taken out in turn (and with none taken out), the audit reports it
 * missing exactly when add for that location would change the file; and after that add the
 * audit has nothing more to say about it. Returns how many cases were checked.
 */
export function assertAuditAgreesWithAdd(registry: Registry, dir: string, file: string, overrides: Record<string, string> = {}): number {
  const { model, read } = fixtureInput(dir, overrides);
  const text = read(file);
  assert.ok(text !== undefined, `${dir}: ${file}`);
  const canonical = model.canonical!;
  let cases = 0;
  for (const location of model.locations.filter((l) => l.names.snake !== canonical.names.snake)) {
    const input = { model, read };
    const constructs = registry.footprint(text, file, location, input);
    assert.ok(constructs.length > 0, `${location.names.snake} has a footprint in ${file}`);
    const variants: string[] = [text, ...constructs.map((c) => text.slice(0, c.start) + text.slice(c.end))];
    for (const variant of variants) {
      // A variant the strict reader refuses (an alias left without its anchor) is no valid input.
      if (!strictlyReadable(variant, file)) continue;
      const findings = registry.audit(variant, file, { model, read: (p) => (p === file ? variant : read(p)) }).filter((f) => f.location === location.names.snake);
      const added = registry.add(variant, file, {
        model,
        read: (p) => (p === file ? variant : read(p)),
        target: { names: location.names, port: location.port, hasClickhouse: location.hasClickhouse },
        source: canonical,
        description: location.names.snake.replaceAll('_', ' '),
        clickhouse: location.hasClickhouse,
      });
      assert.equal(findings.length > 0, added.text !== variant, `${file} without ${variant === text ? 'nothing' : 'one construct'} of ${location.names.snake}: audit ${JSON.stringify(findings.map((f) => f.problem))} vs add ${added.text !== variant ? 'changes' : 'keeps'} the file`);
      const after = registry.audit(added.text, file, { model, read: (p) => (p === file ? added.text : read(p)) }).filter((f) => f.location === location.names.snake);
      assert.deepEqual(after.map((f) => f.problem), [], `after add, ${location.names.snake} is complete in ${file}`);
      cases++;
    }
  }
  return cases;
}
