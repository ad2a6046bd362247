/**
 * The alias dict stays within the repo's line limit (ruff's E501 on the example's
 * devtools/dev_local.py): past the limit the dict is laid out one entry a line, as ruff format
 * would, and the summary says so.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addAliasWithin, pythonLineLimit } from '../../lib/editors/python.js';
import { copyFixture, EXAMPLE, read, runBin } from '../helpers.js';

const ONE_LINE = 'ALIASES = {"wholesale": "vanguard_wholesale", "underwriting": "underwriting_ml"}\n';
const options = { locations: ['vanguard_wholesale', 'underwriting_ml'], short: 'analytics', name: 'network_analytics', file: 'devtools/dev_local.py' };

const longLines = (text: string) => text.split('\n').filter((line) => line.length > 100);

describe('alias dicts within the line limit', () => {
  it('keeps a one-line dict on one line while it fits', () => {
    const result = addAliasWithin(ONE_LINE, { ...options, limit: 120 });
    assert.equal(result.text, 'ALIASES = {"wholesale": "vanguard_wholesale", "underwriting": "underwriting_ml", "analytics": "network_analytics"}\n');
    assert.equal(result.wrapped, undefined);
  });

  it('lays it out one entry a line with a trailing comma when the line would pass the limit', () => {
    const result = addAliasWithin(ONE_LINE, { ...options, limit: 100 });
    assert.equal(
      result.text,
      'ALIASES = {\n    "wholesale": "vanguard_wholesale",\n    "underwriting": "underwriting_ml",\n    "analytics": "network_analytics",\n}\n',
    );
    assert.deepEqual(result.wrapped, { line: 1, width: 114 });
  });

  it('keeps CRLF, the indent width and a comment after the dict', () => {
    const text = 'x = 1\r\nALIASES = {"wholesale": "vanguard_wholesale"}  # short names\r\n';
    const result = addAliasWithin(text, { ...options, locations: ['vanguard_wholesale'], limit: 60, indent: 2 });
    assert.equal(result.text, 'x = 1\r\nALIASES = {\r\n  "wholesale": "vanguard_wholesale",\r\n  "analytics": "network_analytics",\r\n}  # short names\r\n');
  });

  it('reads the limit from ruff.toml, [tool.ruff] (88 by default) or [tool.black], and none without them', () => {
    const files = (map: Record<string, string>) => (path: string) => map[path];
    assert.deepEqual(pythonLineLimit(files({ 'pyproject.toml': '[tool.ruff]\nline-length = 100\n' })), { limit: 100, indent: 4, source: '[tool.ruff] line-length' });
    assert.equal(pythonLineLimit(files({ 'pyproject.toml': '[tool.ruff.lint]\nselect = ["E"]\n' }))?.limit, 88);
    assert.equal(pythonLineLimit(files({ 'ruff.toml': 'line-length = 79\nindent-width = 2\n', 'pyproject.toml': '[tool.ruff]\nline-length = 100\n' }))?.indent, 2);
    assert.equal(pythonLineLimit(files({ 'pyproject.toml': '[tool.black]\nline-length = 120\n' }))?.limit, 120);
    assert.equal(pythonLineLimit(files({ 'pyproject.toml': '[project]\nname = "x"\n' })), undefined);
  });

  it("wraps the example's dev_local.py aliases and says so in the summary warnings", () => {
    const dir = copyFixture(EXAMPLE);
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--force', '--skip-install', '--no-clickhouse']);
    assert.equal(result.status, 0, result.output);
    const text = read(dir, join('devtools', 'dev_local.py'));
    assert.match(text, /^ALIASES = \{\n {4}"wholesale": "vanguard_wholesale",\n {4}"underwriting": "underwriting_ml",\n {4}"analytics": "network_analytics",\n\}$/m);
    const before = read(EXAMPLE, join('devtools', 'dev_local.py'));
    assert.deepEqual(longLines(text), longLines(before), 'no line past 100 columns but those the file had');
    assert.match(result.output, /devtools\/dev_local\.py:24: the alias dict now takes one entry a line \(on one line it would be 114 columns, over \[tool\.ruff\] line-length = 100\)/);
  });
});
