// Empties dist/ before a build, so the package ships only what the sources compile to today
// (no module or template left from a file since removed).
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
