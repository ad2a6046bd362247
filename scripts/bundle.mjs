// Bundles the bin's two entry modules at build time, each into one CommonJS file beside it, so
// the bin loads one file where it loaded hundreds, and with V8's code cache (lib/code-cache.ts):
//   - dist/lib/fast-commands.cjs: help, the version, a refusal and the read-only doctor (the
//     table, the audit, the model, their YAML and TOML parsers); it loads lib/cli only to run a
//     generator;
//   - dist/lib/cli.cjs, everything that writes: Yeoman's environment and generator, mem-fs, the
//     generators and the commit.
// `yo` loads the generators in dist/generators and the modules in dist/lib as tsc wrote them;
// only the bin goes through the bundles. Each bundled module keeps its own import.meta.url
// (ownImportMetaUrl), so the templates, the generators' paths and a dependency's reads of its
// own package.json find what they found before. (A CommonJS dependency's __dirname is not
// rewritten: the one bundled that uses it, config-chain, does so only for npm's configuration,
// which no command reads.) Syntax and whitespace are minified (names are kept, for stacks): a
// smaller file compiles faster.
// Skipped, with a note, when esbuild is not installed (the unbundled modules work the same).
import { relative, sep } from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const LIB = fileURLToPath(new URL('../dist/lib/', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('esbuild not installed: the bin loads dist/lib/fast-commands.js and dist/lib/cli.js unbundled');
  process.exit(0);
}

/**
 * Each bundled module keeps its own import.meta.url: the package's modules, relative to the
 * bundle (they ship beside it); a dependency's, in its installed folder, which
 * __installedUrl (INSTALLED_URL) looks up at run time (npm may have put it in the package's
 * node_modules or in one above).
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.m?js$/ }, async (args) => {
      const contents = await readFile(args.path, 'utf8');
      if (!contents.includes('import.meta.url')) return undefined;
      return { contents: contents.replaceAll('import.meta.url', urlFromBundle(args.path)), loader: 'js' };
    });
  },
};

/** The expression for a bundled file's own URL at run time. */
function urlFromBundle(file) {
  if (file.startsWith(DIST)) return `new URL(${JSON.stringify(`./${toPosix(relative(LIB, file))}`)}, import.meta.url).href`;
  // "mem-fs-editor/node_modules/ejs/lib/esm/ejs.js": the package's folder below node_modules, the file in it.
  const fromRoot = toPosix(relative(ROOT, file));
  const below = fromRoot.startsWith('node_modules/') ? fromRoot.slice('node_modules/'.length) : fromRoot.slice(fromRoot.lastIndexOf('/node_modules/') + '/node_modules/'.length);
  const nested = below.split('/node_modules/');
  const inPackage = nested.pop().split('/');
  const nameLength = inPackage[0].startsWith('@') ? 2 : 1;
  const folder = [...nested, inPackage.slice(0, nameLength).join('/')].join('/node_modules/');
  return `__installedUrl(${JSON.stringify(folder)}, ${JSON.stringify(inPackage.slice(nameLength).join('/'))})`;
}

const toPosix = (path) => path.split(sep).join('/');

/**
 * npm's installer (@npmcli/arborist, with pacote and the script runner: a third of Yeoman's start)
 * comes with fly-import, which Yeoman's environment uses only to install a generator missing from
 * the machine, which this package's commands never ask for. The bundle holds a stand-in that loads
 * the real one, from where fly-import would, the first time one is made.
 */
const installerOnDemand = {
  name: 'installer-on-demand',
  setup(build) {
    build.onResolve({ filter: /^@npmcli\/arborist$/ }, () => ({ path: 'arborist', namespace: 'on-demand' }));
    build.onLoad({ filter: /^arborist$/, namespace: 'on-demand' }, () => ({
      contents: `import { createRequire } from 'node:module';
export default class Arborist {
  constructor(options) {
    const Installer = createRequire(import.meta.resolve('fly-import'))('@npmcli/arborist');
    return new Installer(options);
  }
}`,
      loader: 'js',
    }));
  },
};

const INSTALLED_URL = `import { existsSync as __bundleExists } from 'node:fs';
import { dirname as __bundleDirname, join as __bundleJoin } from 'node:path';
import { fileURLToPath as __bundleToPath, pathToFileURL as __bundleToUrl } from 'node:url';
/**
 * A bundled dependency's file where it is installed, found the way Node looks a package up from
 * here; the bundle's own URL if npm put it out of that reach (nested under another package).
 */
function __installedUrl(folder, file) {
  for (let dir = __bundleDirname(__bundleToPath(import.meta.url)); ; dir = __bundleDirname(dir)) {
    const installed = __bundleJoin(dir, 'node_modules', folder);
    if (__bundleExists(installed)) return __bundleToUrl(__bundleJoin(installed, file)).href;
    if (__bundleDirname(dir) === dir) return import.meta.url;
  }
}`;

/**
 * yeoman-generator's package.json action looks a dependency's latest version up on the npm
 * registry (latest-version, with package-json and the ky HTTP client) only when a generator adds
 * a dependency without a version, which none here does; loading them (ky sets up fetch) cost
 * about 30 ms of every writing run. The bundle holds a stand-in that imports the installed one on
 * first call.
 */
const latestVersionOnDemand = {
  name: 'latest-version-on-demand',
  setup(build) {
    build.onResolve({ filter: /^latest-version$/ }, () => ({ path: 'latest-version', namespace: 'on-demand' }));
    build.onLoad({ filter: /^latest-version$/, namespace: 'on-demand' }, () => ({
      contents: `export default async function latestVersion(...args) {
  const { default: real } = await import(__installedUrl('latest-version', 'index.js'));
  return real(...args);
}`,
      loader: 'js',
    }));
  },
};

/**
 * string-width makes an Intl.Segmenter (ICU's segmentation data) when it loads, and the bundle
 * loads it with the adapter's spinner, though a run that measures no text wider than ASCII never
 * segments any. The bundle makes it on first use; a string-width without that line (another
 * version) is bundled as it is.
 */
const SEGMENTER = 'const segmenter = new Intl.Segmenter();';
const segmenterOnUse = {
  name: 'segmenter-on-use',
  setup(build) {
    build.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const contents = await readFile(args.path, 'utf8');
      if (!contents.includes(SEGMENTER)) return undefined;
      const onUse = 'let madeSegmenter;\nconst segmenter = { segment: (text) => (madeSegmenter ??= new Intl.Segmenter()).segment(text) };';
      return { contents: contents.replace(SEGMENTER, onUse), loader: 'js' };
    });
  },
};

/**
 * The bundles are CommonJS, run by lib/code-cache.ts with V8's code cache (vm.Script takes a
 * script, not a module). Each module's import.meta.url was made bundle-relative above (or
 * __installedUrl); the bundle's own URL and import.meta.resolve come from its file name.
 */
const BUNDLE_URL = `const __bundleUrl = require('node:url').pathToFileURL(__filename).href;
const __bundleResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;`;
const INSTALLED_URL_CJS = INSTALLED_URL.replace(/^import \{ (.*?) \} from '(.*?)';$/gm, (_, names, from) => `const { ${names.replaceAll(' as ', ': ')} } = require('${from}');`).replaceAll('import.meta.url', '__bundleUrl');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { 'import.meta.url': '__bundleUrl', 'import.meta.resolve': '__bundleResolve' },
  banner: { js: `${BUNDLE_URL}\n${INSTALLED_URL_CJS}` },
  plugins: [ownImportMetaUrl],
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
};

// tsc's modules stay where they are (yo, and the unbundled fallback of lib/code-cache.ts, load them).
await esbuild.build({ ...common, entryPoints: [`${LIB}fast-commands.js`], outfile: `${LIB}fast-commands.cjs`, external: ['./cli.js'] });
await esbuild.build({ ...common, entryPoints: [`${LIB}cli.js`], outfile: `${LIB}cli.cjs`, plugins: [ownImportMetaUrl, installerOnDemand, latestVersionOnDemand, segmenterOnUse] });
