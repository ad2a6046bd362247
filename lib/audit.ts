/**
 * The doctor's audit: every registry (lib/registries) × every location, the orphans included (a
 * `src/<name>/definitions.py` that is no workspace member, a location Dockerfile or env template
 * of no location), then the guide's pitfalls across locations (ports, member stubs of the
 * workspace's other members, dagster in ClickHouse modules, shared IO manager base_dir,
 * bootstrap COPY lines). Read-only. The registries' audits are the predicates their add uses.
 */
import { posix } from 'node:path';
import { runsFrozenSync, stubCopies } from './editors/dockerfile.js';
import { disallowedImports } from '../generators/clickhouse/files.js';
import { locationNames } from './naming.js';
import type { Lister, Location, Monorepo, Reader } from './monorepo.js';
import { REGISTRIES as REGISTRY_LIST } from './registries/index.js';
import type { Finding, LocationRef, Registry as RegistryModule, RegistryInput } from './registries/registry.js';

/** The registries' ids, in the order of the phases: the columns of the doctor's table. */
export const REGISTRIES: readonly string[] = REGISTRY_LIST.map((r) => r.id);
export type Registry = string;

/** What a registry is, for the table's headings and messages. */
export const REGISTRY_INFO: Record<string, { what: string; fixedBy: string }> = Object.fromEntries(
  REGISTRY_LIST.map((r) => [r.id, { what: r.id, fixedBy: r.phase }]),
);

export interface Problem {
  location?: string;
  file: string;
  /** 1-based line of the construct in question (or of the one it would copy). */
  line?: number;
  problem: string;
  fix: string;
  /** The registry that found it; with `fixable`, its add repairs it (the doctor's --fix). */
  registry?: Registry;
  fixable?: boolean;
}

export interface Audit {
  locations: Array<{ name: string; port?: number; registered: Record<Registry, boolean | null>; orphan?: boolean }>;
  problems: Problem[];
}

/**
 * Locations the model does not know: a `src/<name>/definitions.py` outside the workspace members
 * (the guide's packages live under src/). Their registrations are audited like any location's.
 */
export function orphanLocations(model: Monorepo, read: Reader, list?: Lister): LocationRef[] {
  if (!list) return [];
  const known = new Set(model.locations.map((l) => l.names.snake));
  return list('src')
    .filter((dir) => /^[a-z_][a-z0-9_]*$/.test(dir) && !known.has(dir) && !model.memberDirs.includes(dir))
    .filter((dir) => read(`src/${dir}/definitions.py`) !== undefined)
    .sort()
    .map((dir) => ({ names: locationNames(dir, dir), hasClickhouse: read(`src/${dir}/clickhouse/__init__.py`) !== undefined }));
}

export function auditMonorepo(model: Monorepo, read: Reader, list?: Lister): Audit {
  const orphans = orphanLocations(model, read, list);
  const input: RegistryInput & { list?: Lister } = { model, read, locations: orphans, list };
  const problems: Problem[] = [];
  const present = new Map<string, boolean>();
  for (const location of orphans) {
    problems.push({
      location: location.names.snake,
      file: `src/${location.names.snake}/definitions.py`,
      problem: `${location.names.snake} has a definitions.py but is not a workspace member: no tool sees it`,
      fix: `dagster-location doctor --fix (registers it everywhere, like a new location)`,
      registry: 'pyproject',
      fixable: true,
    });
  }
  for (const registry of REGISTRY_LIST) {
    let anyFile = false;
    for (const file of registry.files(input)) {
      const text = read(file);
      anyFile ||= text !== undefined;
      for (const finding of registry.audit(text, file, input)) problems.push(fromFinding(finding));
    }
    present.set(registry.id, anyFile || perLocation(registry));
  }
  problems.push(...strayFiles(model, read, list, orphans));
  problems.push(...crossChecks(model, read));
  const all = [...model.locations.map((l) => ({ ...l, orphan: false })), ...orphans.map((l) => ({ ...l, member: `src/${l.names.snake}`, orphan: true }))];
  return {
    locations: all.map((location) => ({
      name: location.names.snake,
      port: location.port,
      ...(location.orphan ? { orphan: true } : {}),
      registered: Object.fromEntries(
        REGISTRIES.map((id) => [id, present.get(id) ? !problems.some((p) => p.registry === id && p.location === location.names.snake) : null]),
      ),
    })),
    problems,
  };
}

/** Registries whose file is the location's own (a missing file is a finding, not a "-"). */
function perLocation(registry: RegistryModule): boolean {
  return ['package', 'dockerfile', 'env'].includes(registry.id);
}

function fromFinding(finding: Finding): Problem {
  return {
    location: finding.location,
    file: finding.file,
    ...(finding.line !== undefined ? { line: finding.line } : {}),
    problem: finding.problem,
    fix: finding.fix,
    registry: finding.registry,
    fixable: finding.fixable,
  };
}

/** A location Dockerfile or env template whose location is nowhere: left over, or a location half added. */
function strayFiles(model: Monorepo, read: Reader, list: Lister | undefined, orphans: LocationRef[]): Problem[] {
  if (!list) return [];
  const known = new Set([...model.locations, ...orphans].map((l) => l.names.snake));
  const dotted = new Set([...model.locations, ...orphans].map((l) => l.names.dotted));
  const problems: Problem[] = [];
  const special = new Set([model.conventions.files.bootstrapDockerfile]);
  for (const file of list('').filter((f) => /^Dockerfile\.[a-z0-9.]+$/.test(f) && !special.has(f))) {
    const name = file.slice('Dockerfile.'.length);
    if (dotted.has(name) || !runsFrozenSync(read(file) ?? '')) continue;
    problems.push({ file, problem: `builds a code location (${name}) that is not in [tool.uv.workspace].members`, fix: 'add the location back to members (and run doctor --fix), or delete the file' });
  }
  const envDir = model.conventions.files.environments;
  for (const entry of list(envDir).filter((f) => f.endsWith('.env.template'))) {
    const name = entry.slice(0, -'.env.template'.length);
    if (known.has(name) || /^[A-Z_]+$|^(shared|example|common|base)$/.test(name)) continue;
    problems.push({ file: posix.join(envDir, entry), problem: `is the env template of ${name}, which is not in [tool.uv.workspace].members`, fix: 'add the location back to members (and run doctor --fix), or delete the template' });
  }
  return problems;
}

function crossChecks(model: Monorepo, read: Reader): Problem[] {
  const problems: Problem[] = [];
  // Ports: each location's ports must agree across workspace.yaml, Dockerfile (EXPOSE + CMD) and compose.
  const byPort = new Map<number, string[]>();
  for (const location of model.locations) {
    const own = model.ports.filter((p, i, all) => p.owner === location.names.snake && all.findIndex((q) => q.port === p.port && q.file === p.file && q.what === p.what) === i);
    const distinct = [...new Set(own.map((p) => p.port))];
    if (distinct.length > 1) {
      // One finding per file, at the line where that file writes its port.
      for (const file of own.map((p) => p.file).filter((f, i, all) => all.indexOf(f) === i)) {
        const port = own.find((p) => p.file === file)!.port;
        problems.push({
          location: location.names.snake,
          file,
          line: lineOf(read(file), new RegExp(`(?<![\\d.])${port}(?!\\d)`)),
          problem: `ports disagree for ${location.names.snake}: ${own.map((p) => `${p.port} (${p.file}: ${p.what})`).join('; ')}`,
          fix: 'use one port in workspace.yaml, the Dockerfile EXPOSE and CMD, and compose.yml',
          fixable: false,
        });
      }
    }
    for (const port of distinct) byPort.set(port, [...(byPort.get(port) ?? []), location.names.snake]);
  }
  for (const [port, owners] of byPort) {
    if (owners.length > 1) {
      const file = model.conventions.files.workspace;
      problems.push({
        file,
        line: lineOf(read(file), new RegExp(`^[ \\t]*port:[ \\t]*["']?${port}\\b`, 'm')),
        problem: `port ${port} is used by ${owners.join(' and ')}`,
        fix: 'give each location its own port',
        fixable: false,
      });
    }
  }
  // Stubs of the members that are no code location (`shared`); the locations' are the stubs registry's.
  const locations = new Set(model.locations.map((l) => l.names.snake));
  for (const dockerfile of model.frozenDockerfiles) {
    const text = read(dockerfile) ?? '';
    if (!runsFrozenSync(text)) continue;
    const copied = new Set(stubCopies(text).map((s) => s.member));
    for (const member of model.memberDirs.filter((m) => !copied.has(m) && !locations.has(m))) {
      problems.push({
        file: dockerfile,
        line: lineOf(text, /^COPY[^\n]*\/pyproject\.toml/m),
        fixable: false,
        problem: `does not COPY src/${member}/pyproject.toml, which \`uv sync --frozen\` needs`,
        fix: `add COPY src/${member}/pyproject.toml ./src/${member}/pyproject.toml next to the other stubs`,
      });
    }
  }
  const baseDirs = new Map<string, string[]>();
  const baseDirLines = new Map<string, number>();
  for (const location of model.locations) {
    const { names } = location;
    // ClickHouse modules run in the bootstrap image, which has no dagster.
    if (location.hasClickhouse) {
      for (const file of ['__init__.py', 'asset_registry.py', 'summary_views.py']) {
        const path = `${location.member}/clickhouse/${file}`;
        const text = read(path);
        // The generator's own predicate: dagster, dagster_polars or anything the bootstrap image lacks.
        const bad = text ? disallowedImports(text, names.snake) : [];
        if (bad.length > 0) {
          const line = text!.split('\n').findIndex((l) => bad.some((module) => new RegExp(`^\\s*(?:import|from)\\s+${module}\\b`).test(l))) + 1;
          problems.push({
            location: names.snake,
            file: path,
            line: line || undefined,
            problem: `imports ${bad.join(', ')}, which the bootstrap image does not have`,
            fix: 'import only polars, shared and the standard library',
            fixable: false,
          });
        }
      }
    }
    const definitions = read(`${location.member}/definitions.py`) ?? '';
    for (const m of definitions.matchAll(/base_dir\s*=\s*f?["'](?:\{data_dir\}\/)?([^"']+)["']/g)) {
      baseDirs.set(m[1], [...(baseDirs.get(m[1]) ?? []), names.snake]);
      baseDirLines.set(`${names.snake} ${m[1]}`, definitions.slice(0, m.index).split('\n').length);
    }
  }
  for (const [dir, owners] of baseDirs) {
    if (owners.length > 1) {
      for (const owner of owners) {
        problems.push({
          location: owner,
          file: `${model.locations.find((l) => l.names.snake === owner)?.member ?? `src/${owner}`}/definitions.py`,
          line: baseDirLines.get(`${owner} ${dir}`),
          problem: `${owners.join(' and ')} share the IO manager base_dir {data_dir}/${dir} (asset key collisions)`,
          fix: 'each location writes to {data_dir}/<its own name>',
          fixable: false,
        });
      }
    }
  }
  return problems;
}

/** The 1-based line of the first match of `pattern` in `text`. */
export function lineOf(text: string | undefined, pattern: RegExp): number | undefined {
  const match = text === undefined ? null : pattern.exec(text);
  return match ? text!.slice(0, match.index).split('\n').length : undefined;
}

export type { Location };
