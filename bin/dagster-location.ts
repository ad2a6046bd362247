#!/usr/bin/env node
/**
 * The `dagster-location` bin. It turns on Node's module compile cache first (Node 22.1 and
 * later; nothing on Node 20), so the few hundred modules Yeoman loads are compiled once per
 * machine rather than at every run, then hands over to the CLI.
 */
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { main } = await import('../lib/cli.js');
const code = await main(process.argv.slice(2));
// A generator may set a non-zero exit code without failing (the doctor's findings).
process.exitCode = code || Number(process.exitCode ?? 0);
