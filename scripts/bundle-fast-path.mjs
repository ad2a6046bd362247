// Bundles the bin's fast path, dist/lib/fast-commands.js (the read-only doctor: the table, the
// audit, the model, their YAML and TOML parsers), into that one file in place, so a pre-commit
// `dagster-location doctor` loads one module instead of a few hundred. lib/cli.js stays a
// separate, unbundled module (it loads Yeoman, and `yo` loads the generators in dist/generators
// as they are). The output sits where tsc put the module, so its relative imports and
// import.meta.url mean what they meant. Skipped, with a note, when esbuild is not installed
// (the unbundled module works the same).
import { fileURLToPath } from 'node:url';

const target = fileURLToPath(new URL('../dist/lib/fast-commands.js', import.meta.url));
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('esbuild not installed: dist/lib/fast-commands.js left unbundled');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [target],
  outfile: target,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The CommonJS inside (yaml) requires Node built-ins: give the ES module a require.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
  external: ['./cli.js'],
  logLevel: 'warning',
});
