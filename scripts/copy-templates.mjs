// Copies each generator's templates (and USAGE) next to its compiled index.js in dist/.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

for (const name of readdirSync('generators')) {
  for (const item of ['templates', 'USAGE']) {
    const from = join('generators', name, item);
    if (existsSync(from)) cpSync(from, join('dist', 'generators', name, item), { recursive: true });
  }
}
