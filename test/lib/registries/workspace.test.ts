import assert from 'node:assert/strict';
import { EditError } from '../../../lib/editors/text.js';
import { workspaceRegistry } from '../../../lib/registries/workspace.js';
import { EXAMPLE, MESSY, REALWORLD } from '../../helpers.js';
import { addInput, assertAuditAgreesWithAdd, assertNoCanonicalVariant, fixtureInput, NEW, newLines, yamlJs } from './yaml-fixture.js';

const FILE = 'workspace.yaml';

/** A production workspace whose entries carry prose comments, as real ones do. */
const DOCUMENTED = `# Production workspace: one gRPC code server per code location.
load_from:
  # vanguard_wholesale -- Vanguard wholesale price sheets, orders and margins
  - grpc_server:
      host: vanguard_wholesale
      port: 4000
      location_name: "vanguard_wholesale"

  # underwriting_ml -- underwriting risk models; has ClickHouse views
  - grpc_server:
      host: underwriting_ml
      port: 4001
      location_name: "underwriting_ml"
`;

function add(text: string, overrides: Partial<ReturnType<typeof addInput>> = {}) {
  const input = { ...addInput(EXAMPLE, { [FILE]: text }), ...overrides };
  return workspaceRegistry.add(text, FILE, input);
}

describe('registry: workspace.yaml', () => {
  it("adds the grpc entry after its siblings; its prose comment gets the new location's description", () => {
    const result = add(DOCUMENTED);
    assert.equal(
      result.text,
      `${DOCUMENTED}\n  # network_analytics -- Network analytics\n  - grpc_server:\n      host: network_analytics\n      port: 4002\n      location_name: "network_analytics"\n`,
    );
    assert.ok(result.text.startsWith(DOCUMENTED));
    assert.doesNotMatch(result.text.slice(DOCUMENTED.length), /risk models|ClickHouse/);
    assertNoCanonicalVariant(DOCUMENTED, result.text);
    assert.deepEqual(result.warnings, []);
  });

  it('leaves a prose comment out when there is no description to put in its place', () => {
    const result = add(DOCUMENTED, { description: '' });
    assert.deepEqual(newLines(DOCUMENTED, result.text).filter((l) => l.includes('#')), []);
    assertNoCanonicalVariant(DOCUMENTED, result.text);
  });

  it('renames a comment made of names only, drops "(canonical example)", moves the next-free-port hint on (messy)', () => {
    const input = addInput(MESSY);
    const text = input.read(FILE)!;
    const result = workspaceRegistry.add(text, FILE, input);
    assert.match(result.text, /\n\n {4}# :4002 {2}analytics\n {4}- {3}grpc_server:\n {12}host: network_analytics\n {12}port: 4002\n {12}location_name: "network_analytics"\n\n {4}# next free port: 4003$/);
    assertNoCanonicalVariant(text, result.text.replace('4003', '4002'));
  });

  it('refuses, naming the line, an entry of the new location on another port', () => {
    const text = `${DOCUMENTED}  - grpc_server:\n      host: network_analytics\n      port: 4010\n      location_name: network_analytics\n`;
    assert.throws(() => add(text), (error: EditError) => {
      assert.equal(error.name, 'EditError');
      assert.match(error.message, /^workspace\.yaml:14: network_analytics already has a grpc_server entry on port 4010, not 4002/);
      return true;
    });
  });

  it("refuses the new location's port when another entry has it", () => {
    const text = DOCUMENTED.replace('port: 4001', 'port: 4002');
    assert.throws(() => add(text), /^EditError: workspace\.yaml:10: port 4002 is already the grpc_server port of underwriting_ml|workspace\.yaml:10: port 4002/);
  });

  it('changes nothing when the entry is there with the same port (idempotent)', () => {
    const once = add(DOCUMENTED).text;
    assert.equal(add(once).text, once);
  });

  it('remove takes the entry out with its comment: add then remove gives back the bytes (every fixture)', () => {
    for (const [dir, text] of [[EXAMPLE, undefined], [MESSY, undefined], [REALWORLD, undefined], [EXAMPLE, DOCUMENTED]] as const) {
      const input = addInput(dir, text ? { [FILE]: text } : {});
      const before = input.read(FILE)!;
      const added = workspaceRegistry.add(before, FILE, input).text;
      assert.notEqual(added, before);
      assert.equal(workspaceRegistry.remove(added, FILE, NEW, input), before, dir);
    }
  });

  it('the footprint is the entry with its own comment lines, keyed without the location', () => {
    const { model, read } = fixtureInput(EXAMPLE, { [FILE]: DOCUMENTED });
    const [wholesale, underwriting] = model.locations;
    const a = workspaceRegistry.footprint(DOCUMENTED, FILE, wholesale, { model, read });
    const b = workspaceRegistry.footprint(DOCUMENTED, FILE, underwriting, { model, read });
    assert.deepEqual(a.map((c) => c.key), b.map((c) => c.key));
    assert.deepEqual(b.map((c) => [c.line, DOCUMENTED.slice(c.start, c.end)]), [[9, DOCUMENTED.slice(DOCUMENTED.indexOf('  # underwriting_ml'))]]);
  });

  it('audit says missing exactly when add would change the file (example, messy, real-world, documented)', () => {
    let cases = 0;
    for (const dir of [EXAMPLE, MESSY, REALWORLD]) cases += assertAuditAgreesWithAdd(workspaceRegistry, dir, FILE);
    cases += assertAuditAgreesWithAdd(workspaceRegistry, EXAMPLE, FILE, { [FILE]: DOCUMENTED });
    assert.ok(cases >= 8, `${cases} cases`);
    const { model, read } = fixtureInput(EXAMPLE, { [FILE]: DOCUMENTED.replace(/ {2}# vanguard[^]*?"vanguard_wholesale"\n\n/, '') });
    const findings = workspaceRegistry.audit(read(FILE), FILE, { model, read });
    assert.deepEqual(findings.map((f) => [f.file, f.location, f.fixable]), [[FILE, 'vanguard_wholesale', true]]);
    assert.match(findings[0].problem, /vanguard_wholesale has no counterpart of underwriting_ml's load_from entry grpc_server/);
    assert.ok(yamlJs(read(FILE)!));
  });
});
