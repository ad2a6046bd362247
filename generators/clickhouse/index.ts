/**
 * Phase 3: the ClickHouse subpackage of a location, `src/<name>/clickhouse/` (get_bootstrap_config,
 * the asset registry, the summary views), and what makes the bootstrap image ship it:
 * Dockerfile.bootstrap's COPY lines, the CI paths that trigger its build, the env template's
 * ClickHouse variables. Composed by the app for a new location (`--clickhouse`), or run on its own
 * to add ClickHouse to an existing one: `dagster-location clickhouse vanguard_wholesale`.
 */
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import ejs from 'ejs';
import { addEnvKeys } from '../../lib/editors/env.js';
import { EditError } from '../../lib/editors/text.js';
import { LocationGenerator, UsageError, type LocationOptions } from '../../lib/location-generator.js';
import type { Location } from '../../lib/monorepo.js';
import { renamer, type Renamer } from '../../lib/naming.js';
import { proseCommentsFor } from '../../lib/registries/prose.js';
import type { LeftOut } from '../../lib/registries/registry.js';
import { DEPLOY_ENV_DIR, envTemplatePath } from '../env/files.js';
import { scanAssets, type AssetScan } from './assets.js';
import {
  clickhouseEnvKeys,
  DEFAULT_ENTRY_STYLE,
  deriveRegistry,
  deriveSummaryViews,
  disallowedImports,
  importsOnlyWrittenModules,
  MODULES,
  renderEntries,
} from './files.js';

/** What the templates import from shared.clickhouse. */
const SHARED_API = ['CodeLocationConfig', 'AssetRegistryEntry', 'ClickHouseConfig'] as const;

/** A top-level class or assignment of `name` in a module. */
function definesName(text: string, name: string): boolean {
  return new RegExp(`^(?:class\\s+${name}\\b|${name}\\s*(?::[^=\\n]*)?=)`, 'm').test(text);
}

/**
 * Whether a package's __init__.py makes `name` importable from it: defines it, imports it by name
 * (`from .config import X`, `from shared.clickhouse.config import (X, Y)`, `import ... as X`), or
 * star-imports a module (read with `moduleText`) that defines it.
 */
function exportsName(init: string, name: string, moduleText: (module: string) => string | undefined): boolean {
  if (definesName(init, name)) return true;
  for (const m of init.matchAll(/^from\s+([\w.]+)\s+import\s+(\([^)]*\)|[^\n#]+)/gm)) {
    const names = m[2].replace(/[()]/g, '').split(',').map((part) => part.trim().split(/\s+as\s+/).at(-1)!.trim());
    if (names.includes(name)) return true;
    if (names.includes('*') && definesName(moduleText(m[1]) ?? '', name)) return true;
  }
  return false;
}

export default class ClickhouseGenerator extends LocationGenerator {
  /** Run on its own for a location that has its clickhouse/ package already: nothing to do. */
  private alreadyPresent = false;

  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'clickhouse');
  }

  async initializing() {
    this.ctx = await this.resolveContext({ requireExisting: true });
    if (this.isComposed) return;
    const init = `${this.ctx.names.packageDir}/clickhouse/__init__.py`;
    if (this.readText(init) !== undefined) {
      this.alreadyPresent = true;
      this.log(`${this.ctx.names.snake} already has ClickHouse (${init} exists); nothing to do.`);
      return;
    }
    this.ctx.clickhouse = true;
  }

  writing() {
    if (this.alreadyPresent) return;
    const { model, names } = this.ctx;
    const dir = `${names.packageDir}/clickhouse`;
    const source = this._sourceLocation();
    const rename = source && renamer(source.names, names, source.port !== undefined ? { from: source.port, to: this.ctx.port } : undefined);

    const scan = this.ctx.existing ? this._scanExistingAssets(this.ctx.existing) : { assets: [], unread: [] };
    for (const entry of scan.unread) this.ctx.report.warnings.push(`${entry}: not listed in ${dir}/asset_registry.py; add it by hand`);
    for (const [file, text] of Object.entries(this._packageTexts(source, rename, scan))) {
      const bad = disallowedImports(text, names.snake);
      if (bad.length > 0) this.ctx.report.warnings.push(`${dir}/${file} imports ${bad.join(', ')}: the bootstrap image has no such package`);
      this.createFile(`${dir}/${file}`, text);
    }

    this._applyRegistries('clickhouse');

    // Its clickhouse/ paths in CI changesets, compose and the stack belong to those files'
    // registries (a location with ClickHouse has them in its footprint there). In a new
    // location's run the CI and Docker phases add them with the rest; here, for a location that
    // exists, they are added now.
    if (this.ctx.existing) {
      for (const [phase, id] of [['ci', 'pipelines'], ['docker', 'compose'], ['docker', 'stack']] as const) {
        this._applyRegistries(phase, (registry) => registry.id === id);
      }
    }

    // The env generator writes a new location's template (with these variables) later in the run.
    const envDir = model.conventions.files.environments;
    const template = envTemplatePath(envDir, names.snake);
    if (this.readText(template) !== undefined || !this.isComposed) {
      const sibling = source && this.readText(envTemplatePath(envDir, source.names.snake));
      const { keys, comment } = clickhouseEnvKeys(sibling, this.readText(`${this._sharedMember()}/clickhouse/config.py`));
      // Where the sibling has its ClickHouse block before a section this template has too, so does this one.
      const before = sibling === undefined ? undefined : sectionAfter(sibling, comment);
      this.editFile(template, (text) => addEnvKeys(text, keys, comment, before), { optional: `add ${keys.join(', ')} to it when you create it` });
      if (this.ctx.existing && this.readText(template) !== undefined) {
        this.ctx.report.notes.push(`Add values for ${keys.join(', ')} to the real env file of ${names.snake} on the shared volume (${DEPLOY_ENV_DIR}/${names.snake}.env)`);
      }
    }
  }

  end() {
    if (!this.alreadyPresent) this.printSummary();
  }

  /** The location whose clickhouse/ package this one follows: the canonical one, else any that has one. */
  private _sourceLocation(): Location | undefined {
    const { model, names } = this.ctx;
    const candidates = [model.canonical, ...model.locations].filter(
      (l): l is Location => l !== undefined && l.hasClickhouse && l.names.snake !== names.snake,
    );
    // Derive only from a package made of exactly the modules written here.
    return candidates.find((l) => {
      const modules = this._listDir(`${l.member}/clickhouse`).filter((f) => f.endsWith('.py'));
      return modules.every((m) => (MODULES as readonly string[]).includes(m)) && MODULES.every((m) => modules.includes(m));
    });
  }

  /** The three modules: derived from the source location's, else from templates over the shared API. */
  private _packageTexts(source: Location | undefined, rename: Renamer | undefined, scan: AssetScan): Record<string, string> {
    const { names } = this.ctx;
    if (source && rename) {
      const dir = `${source.member}/clickhouse`;
      const leftOut: LeftOut[] = [];
      // A comment about the source's domain is not renamed into one about this location's (prose.ts).
      const from = (file: string) => {
        const own = proseCommentsFor(this.readText(`${dir}/${file}`) ?? '', { from: source, to: { names, port: this.ctx.port }, description: this.ctx.description, file: `${dir}/${file}`, firstLine: 1, comment: /^[ \t]*#/ });
        leftOut.push(...own.leftOut);
        return rename.apply(own.text);
      };
      const init = from('__init__.py');
      if (importsOnlyWrittenModules(init, names.snake) && /def\s+get_bootstrap_config\b/.test(init)) {
        try {
          const texts = {
            '__init__.py': init,
            'asset_registry.py': deriveRegistry(from('asset_registry.py'), names.database, scan.assets, `${dir}/asset_registry.py`),
            'summary_views.py': deriveSummaryViews(from('summary_views.py'), names, `${dir}/summary_views.py`),
          };
          this.ctx.report.leftOut.push(...leftOut);
          return texts;
        } catch (error) {
          if (!(error instanceof EditError)) throw error;
          // Renaming keeps the lines, so the error's line is the source file's.
          this.ctx.report.warnings.push(`${error.message} (so ${names.packageDir}/clickhouse/ was written from the built-in templates instead)`);
        }
      }
    }
    const data = { names, entries: renderEntries(scan.assets, DEFAULT_ENTRY_STYLE, '\n'), imports: this._sharedApiImports() };
    return Object.fromEntries(MODULES.map((file) => [file, ejs.render(this.fs.read(this.templatePath(`${file}.ejs`))!, data)]));
  }

  /**
   * Where the templates import the shared API from (CodeLocationConfig, AssetRegistryEntry,
   * ClickHouseConfig): the module of shared/clickhouse/ that defines each, else the package itself
   * when its __init__.py exports it. Returns a function giving the import lines for some names.
   */
  private _sharedApiImports(): (...wanted: string[]) => string {
    const dir = `${this._sharedMember()}/clickhouse`;
    const modules = this._listDir(dir)
      .filter((f) => f.endsWith('.py') && f !== '__init__.py')
      .sort()
      .map((f) => ({ module: `shared.clickhouse.${f.replace(/\.py$/, '')}`, text: this.readText(`${dir}/${f}`) ?? '' }));
    const init = this.readText(`${dir}/__init__.py`) ?? '';
    const where = new Map<string, string>();
    const missing: string[] = [];
    for (const name of SHARED_API) {
      const defining = modules.find((m) => definesName(m.text, name));
      if (defining) where.set(name, defining.module);
      else if (exportsName(init, name, (module) => modules.find((m) => m.module === module || m.module.endsWith(module.replace(/^\.+/, '.')))?.text)) {
        where.set(name, 'shared.clickhouse');
      } else missing.push(name);
    }
    if (missing.length > 0) {
      throw new UsageError(
        `${dir}/__init__.py: shared.clickhouse does not export ${missing.join(', ')}, and no module of ${dir}/ defines ${missing.length > 1 ? 'them' : 'it'}. ` +
          'No location has a clickhouse/ package to follow, and the built-in templates import these. Nothing was written.',
      );
    }
    return (...wanted: string[]) => {
      const byModule = new Map<string, string[]>();
      for (const name of wanted) byModule.set(where.get(name)!, [...(byModule.get(where.get(name)!) ?? []), name]);
      return [...byModule]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([module, list]) => `from ${module} import ${list.sort().join(', ')}`)
        .join('\n');
    };
  }

  private _sharedMember(): string {
    return this.ctx.model.members.find((m) => posix.basename(m) === 'shared') ?? 'src/shared';
  }

  /** Every asset function in the location's assets package (or assets.py module). */
  private _scanExistingAssets(location: Location): AssetScan {
    const files: Array<{ path: string; text: string }> = [];
    const walk = (dir: string) => {
      for (const entry of this._listDir(dir).sort()) {
        const path = `${dir}/${entry}`;
        if (entry.endsWith('.py')) files.push({ path, text: this.readText(path) ?? '' });
        else if (!entry.startsWith('.') && entry !== '__pycache__' && this._listDir(path).length > 0) walk(path);
      }
    };
    if (this.readText(`${location.member}/assets.py`) !== undefined) files.push({ path: `${location.member}/assets.py`, text: this.readText(`${location.member}/assets.py`)! });
    walk(`${location.member}/assets`);
    return scanAssets(files);
  }

  private _listDir(path: string): string[] {
    try {
      return readdirSync(this.repoPath(path));
    } catch {
      return [];
    }
  }
}

/** The comment line that opens the section right after `comment`'s block in a template, if any. */
function sectionAfter(template: string, comment: string): string | undefined {
  const lines = template.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith('#') && line.includes(comment));
  if (start === -1) return undefined;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    if (lines[i].startsWith('#')) return lines[i];
  }
  return undefined;
}
