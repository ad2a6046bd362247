import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEY, conventionsFrom, DEFAULT_CONVENTIONS } from '../../lib/conventions.js';
import { PROJECT } from '../helpers.js';

describe('conventions (.yo-rc.json)', () => {
  it('the project .yo-rc.json documents every key with its default', () => {
    const documented = JSON.parse(readFileSync(join(PROJECT, '.yo-rc.json'), 'utf8'))[CONFIG_KEY];
    assert.deepEqual(documented, DEFAULT_CONVENTIONS);
  });

  it('a monorepo .yo-rc.json overrides single keys and keeps the other defaults', () => {
    const conventions = conventionsFrom(JSON.stringify({ [CONFIG_KEY]: { canonical: 'vanguard_wholesale', files: { compose: 'docker-compose.yml' } } }));
    assert.equal(conventions.canonical, 'vanguard_wholesale');
    assert.equal(conventions.files.compose, 'docker-compose.yml');
    assert.equal(conventions.files.stack, 'docker-stack.yml');
    assert.equal(conventions.basePort, 4002);
  });

  it('refuses unknown keys and invalid JSON with a message naming the file', () => {
    assert.throws(() => conventionsFrom(JSON.stringify({ [CONFIG_KEY]: { canonicl: 'x' } })), /unknown setting "canonicl"/);
    assert.throws(() => conventionsFrom('{ nope'), /\.yo-rc\.json: not valid JSON/);
  });
});
