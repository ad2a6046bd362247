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
import { LocationGenerator, UsageError, type LocationOptions } from '../../lib/location-generator.js';
import type { Location } from '../../lib/monorepo.js';
import { renamer, type Renamer } from '../../lib/naming.js';
import { envTemplatePath } from '../env/files.js';
import { scanAssets, type AssetScan } from './assets.js';
import {
  addClickhousePaths,
  clickhouseEnvKeys,
  DEFAULT_ENTRY_STYLE,
  deriveRegistry,
  deriveSummaryViews,
  disallowedImports,
  importsOnlyWrittenModules,
  MODULES,
  renderEntries,
} from './files.js';

export default class ClickhouseGenerator extends LocationGenerator {
  /** Run on its own for a location that has its clickhouse/ package already: nothing to do. */
  private alreadyPresent = false;

  constructor(args: string[], options: LocationOptions) {
    super(args, options, 'existing-location');
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

    if (source && rename) {
      const { files } = model.conventions;
      for (const file of [files.pipelines, files.compose, files.stack]) {
        if (this.readText(file) === undefined) continue;
        this.editFile(file, (text) => addClickhousePaths(text, { file, source: source.names, rename: rename.apply }));
      }
    }

    // The env generator writes a new location's template (with these variables) later in the run.
    const envDir = model.conventions.files.environments;
    const template = envTemplatePath(envDir, names.snake);
    if (this.readText(template) !== undefined || !this.isComposed) {
      const { keys, comment } = clickhouseEnvKeys(
        source && this.readText(envTemplatePath(envDir, source.names.snake)),
        this.readText(`${this._sharedMember()}/clickhouse/config.py`),
      );
      this.editFile(template, (text) => addEnvKeys(text, keys, comment), { optional: `add ${keys.join(', ')} to it when you create it` });
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
      const from = (file: string) => rename.apply(this.readText(`${source.member}/clickhouse/${file}`) ?? '');
      const init = from('__init__.py');
      if (importsOnlyWrittenModules(init, names.snake) && /def\s+get_bootstrap_config\b/.test(init)) {
        return {
          '__init__.py': init,
          'asset_registry.py': deriveRegistry(from('asset_registry.py'), names.database, scan.assets),
          'summary_views.py': deriveSummaryViews(from('summary_views.py'), names, `${source.member}/clickhouse/summary_views.py`),
        };
      }
    }
    this._requireSharedApi();
    const data = { names, entries: renderEntries(scan.assets, DEFAULT_ENTRY_STYLE, '\n') };
    return Object.fromEntries(MODULES.map((file) => [file, ejs.render(this.fs.read(this.templatePath(`${file}.ejs`))!, data)]));
  }

  /** The templates import CodeLocationConfig, AssetRegistryEntry and ClickHouseConfig from shared. */
  private _requireSharedApi(): void {
    const shared = this._sharedMember();
    const bootstrap = this.readText(`${shared}/clickhouse/bootstrap.py`) ?? '';
    const config = this.readText(`${shared}/clickhouse/config.py`) ?? '';
    const missing = [
      ...['CodeLocationConfig', 'AssetRegistryEntry'].filter((c) => !new RegExp(`^class ${c}\\b`, 'm').test(bootstrap)).map((c) => `${shared}/clickhouse/bootstrap.py: ${c}`),
      ...(/^class ClickHouseConfig\b/m.test(config) ? [] : [`${shared}/clickhouse/config.py: ClickHouseConfig`]),
    ];
    if (missing.length > 0) {
      throw new UsageError(
        `No location has a clickhouse/ package to follow, and the shared ClickHouse API is not the one this generator knows (missing ${missing.join('; ')}). Nothing was written.`,
      );
    }
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
