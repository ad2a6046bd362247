#!/usr/bin/env node
/**
 * The `dagster-location` bin. It turns on Node's module compile cache first (Node 22.1 and
 * later; nothing on Node 20) for its few small modules, then hands over to the CLI, whose two
 * bundles (scripts/bundle.mjs) run with V8's code cache (lib/code-cache.ts):
 * lib/fast-commands.ts answers help, the version, a refusal and a read-only doctor without
 * Yeoman, lib/cli.ts the rest (loading Yeoman only to run a generator).
 *
 * Yeoman's log (file statuses, the review's diff) goes to stderr but takes its colours from
 * stdout and ignores NO_COLOR; before it loads, FORCE_COLOR=0 turns them off wherever stderr
 * should have none (not a terminal, or NO_COLOR set), unless FORCE_COLOR asks for them.
 */
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { stderrTakesColor } = await import('../lib/color.js');
if (!stderrTakesColor()) process.env.FORCE_COLOR = '0';

const { importBundled } = await import('../lib/code-cache.js');
const { fastMain } = await importBundled('fast-commands', () => import('../lib/fast-commands.js'));
const code = await fastMain(process.argv.slice(2));
// A generator may set a non-zero exit code without failing (the doctor's findings).
process.exitCode = code || Number(process.exitCode ?? 0);
// A cancelled prompt can leave the terminal's input open: leave now.
if (code === 130) process.exit(code);
