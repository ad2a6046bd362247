/**
 * The doctor's audit: for every location, whether each place the guide names registers it,
 * and the guide's pitfalls across locations (ports, Dockerfile stubs, dagster in ClickHouse
 * modules, shared IO manager base_dir, bootstrap COPY lines). Read-only; each file is parsed once.
 */
import { instructions, runsFrozenSync, stubCopies } from './editors/dockerfile.js';
import { blockList, findBlock, hclBlocks, listStrings } from './editors/hcl.js';
import { findAliasDict } from './editors/python.js';
import { getPath, parseToml } from './editors/toml.js';
import { findNodes, isAlias, parseYaml } from './editors/yaml.js';
import { yamlJs, type Location, type Monorepo, type Reader } from './monorepo.js';

/** The registries of the guide, in the order of its phases (the columns of the doctor's table). */
export const REGISTRIES = [
  'members',
  'dependencies',
  'sources',
  'hatch',
  'dockerfile',
  'compose',
  'depends_on',
  'stack',
  'workspace',
  'bake',
  'bake_group',
  'pipelines',
  'env',
  'aliases',
] as const;
export type Registry = (typeof REGISTRIES)[number];

/** What a missing registry entry means and which sub-generator adds it. */
export const REGISTRY_INFO: Record<Registry, { file: (l: Location, m: Monorepo) => string; what: string; fixedBy: string }> = {
  members: { file: () => 'pyproject.toml', what: '[tool.uv.workspace].members', fixedBy: 'package' },
  dependencies: { file: () => 'pyproject.toml', what: '[project].dependencies', fixedBy: 'package' },
  sources: { file: () => 'pyproject.toml', what: '[tool.uv.sources]', fixedBy: 'package' },
  hatch: { file: () => 'pyproject.toml', what: '[tool.hatch.build.targets.wheel].packages', fixedBy: 'package' },
  dockerfile: { file: (l) => l.names.dockerfile, what: 'its Dockerfile', fixedBy: 'docker' },
  compose: { file: (_l, m) => m.conventions.files.compose, what: 'a compose service', fixedBy: 'docker' },
  depends_on: { file: (_l, m) => m.conventions.files.compose, what: 'depends_on of the webserver and the daemon', fixedBy: 'docker' },
  stack: { file: (_l, m) => m.conventions.files.stack, what: 'a Swarm service', fixedBy: 'docker' },
  workspace: { file: (_l, m) => m.conventions.files.workspace, what: 'a grpc_server entry', fixedBy: 'ci' },
  bake: { file: (_l, m) => m.conventions.files.bake, what: 'a bake target', fixedBy: 'ci' },
  bake_group: { file: (_l, m) => m.conventions.files.bake, what: 'the default group targets', fixedBy: 'ci' },
  pipelines: { file: (_l, m) => m.conventions.files.pipelines, what: 'build-push/deploy anchors and their references', fixedBy: 'ci' },
  env: { file: (l) => l.names.envTemplate, what: 'an env template', fixedBy: 'env' },
  aliases: { file: (_l, m) => m.conventions.files.aliasFiles.join(', '), what: 'a short-name alias', fixedBy: 'env' },
};

export interface Problem {
  location?: string;
  /** One file; a problem seen in several files is one finding per file. */
  file: string;
  /** Where in the file, when known: the entry, or the list or table it is missing from. */
  line?: number;
  problem: string;
  fix: string;
  /** A registry the sub-generators can add (the doctor's --fix); other problems need a person. */
  registry?: Registry;
  /** Whether `doctor --fix` repairs it. */
  fixable: boolean;
}

export interface Audit {
  locations: Array<{ name: string; port?: number; registered: Record<Registry, boolean | null> }>;
  problems: Problem[];
}

/** null in the table: the file does not exist, so there is nothing to register in. */
type Presence = boolean | null;

export function auditMonorepo(model: Monorepo, read: Reader): Audit {
  const facts = readFacts(model, read);
  const problems: Problem[] = [];
  const locations = model.locations.map((location) => {
    const registered = {} as Record<Registry, Presence>;
    for (const registry of REGISTRIES) {
      const present = facts.check(registry, location);
      registered[registry] = present;
      if (present === false) {
        const info = REGISTRY_INFO[registry];
        const fix = `dagster-location doctor --fix (or dagster-location ${info.fixedBy} ${location.names.snake})`;
        const places = facts.where(registry, location) ?? [];
        for (const where of places.length > 0 ? places : [{ file: info.file(location, model), line: undefined, what: info.what }]) {
          problems.push({
            location: location.names.snake,
            file: where.file,
            line: where.line,
            problem: `${location.names.snake} is missing from ${where.what}`,
            fix,
            registry,
            fixable: true,
          });
        }
      }
    }
    return { name: location.names.snake, port: location.port, registered };
  });
  problems.push(...crossChecks(model, read));
  return { locations, problems };
}

interface Facts {
  check(registry: Registry, location: Location): Presence;
  /** Where a missing entry belongs, one place per file or service lacking it (undefined: the registry's file). */
  where(registry: Registry, location: Location): Array<{ file: string; line?: number; what: string }> | undefined;
}

/** The 1-based line of the first match of `pattern` in `text` (of `at` inside the match, when given). */
export function lineOf(text: string | undefined, pattern: RegExp, at?: string): number | undefined {
  const match = text === undefined ? null : pattern.exec(text);
  if (!match) return undefined;
  const offset = match.index + (at ? Math.max(0, match[0].lastIndexOf(at)) : 0);
  return text!.slice(0, offset).split('\n').length;
}

function readFacts(model: Monorepo, read: Reader): Facts {
  const { files } = model.conventions;
  const root = parseToml(read('pyproject.toml') ?? '', 'pyproject.toml');
  const list = (path: string[]) => (getPath(root, path) as string[] | undefined) ?? [];
  const compose = yamlJs(read, files.compose) as { services?: Record<string, { depends_on?: unknown }> } | undefined;
  const stack = yamlJs(read, files.stack) as { services?: Record<string, unknown> } | undefined;
  const workspace = yamlJs(read, files.workspace) as { load_from?: Array<{ grpc_server?: { host?: string; location_name?: string } }> } | undefined;
  const bakeText = read(files.bake);
  const bakeBlocks = bakeText === undefined ? undefined : hclBlocks(bakeText, files.bake);
  const groupTargets = bakeText && bakeBlocks && findBlock(bakeBlocks, 'group', 'default')
    ? listStrings(bakeText, blockList(bakeText, { type: 'group', label: 'default', attribute: 'targets' }, files.bake))
    : [];
  const pipelinesText = read(files.pipelines);
  const pipelines = pipelinesText === undefined ? undefined : parseYaml(pipelinesText, files.pipelines);
  const anchors = new Set<string>();
  const aliases = new Set<string>();
  if (pipelines) {
    findNodes(pipelines, (node) => {
      if (isAlias(node)) aliases.add(node.source);
      else if ((node as { anchor?: string }).anchor) anchors.add((node as { anchor: string }).anchor);
      return false;
    });
  }
  const aliasDicts = files.aliasFiles
    .map((file) => read(file))
    .filter((text): text is string => text !== undefined)
    .map((text) => findAliasDict(text, model.locations.map((l) => l.names.snake)));
  // The services that wait for code locations: those whose depends_on names any location.
  const dependents = Object.entries(compose?.services ?? {}).filter(([, service]) =>
    dependsOn(service?.depends_on).some((name) => model.locations.some((l) => l.names.snake === name)),
  );

  const members = list(['tool', 'uv', 'workspace', 'members']);
  const rootText = read('pyproject.toml');
  const composeText = read(files.compose);
  /** Lines of the list or table each registry's entry goes into (where the audit cheaply knows it). */
  const lines: Partial<Record<Registry, number | undefined>> = {
    members: lineOf(rootText, /^[ \t]*members[ \t]*=/m),
    dependencies: lineOf(rootText, /^[ \t]*dependencies[ \t]*=/m),
    sources: lineOf(rootText, /^\[tool\.uv\.sources\]/m),
    hatch: lineOf(rootText, /^\[tool\.hatch\.build\.targets\.wheel\]/m),
    compose: lineOf(composeText, /^services:/m),
    stack: lineOf(read(files.stack), /^services:/m),
    workspace: lineOf(read(files.workspace), /^load_from:/m),
    bake_group: lineOf(bakeText, /^group[ \t]+"default"/m),
  };
  return {
    where(registry, location) {
      const service = location.names.service;
      if (registry === 'depends_on') {
        return dependents
          .filter(([, s]) => !dependsOn(s.depends_on).includes(service))
          .map(([name]) => ({
            file: files.compose,
            line: lineOf(composeText, new RegExp(`^[ \\t]+${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:[ \\t]*(?:#.*)?\\n(?:[ \\t]+.*\\n|[ \\t]*\\n)*?[ \\t]+depends_on:`, 'm'), 'depends_on:'),
            what: `depends_on of ${name}`,
          }));
      }
      if (registry === 'aliases') {
        return files.aliasFiles
          .map((file) => ({ file, text: read(file) }))
          .filter(({ text }) => text !== undefined)
          .map(({ file, text }) => ({ file, text: text!, dict: findAliasDict(text!, model.locations.map((l) => l.names.snake)) }))
          .filter(({ dict }) => !dict?.entries.some((e) => e.value === location.names.snake))
          .map(({ file, text, dict }) => ({
            file,
            line: dict && lineOf(text, new RegExp(`^${dict.name}\\b`, 'm')),
            what: dict ? `the short-name aliases (${dict.name})` : 'the short-name aliases (no alias dict of location names found)',
          }));
      }
      const info = REGISTRY_INFO[registry];
      return [{ file: info.file(location, model), line: lines[registry], what: info.what }];
    },
    check(registry, location) {
      const { names } = location;
      switch (registry) {
        case 'members':
          return model.members.includes(location.member) && members.length > 0;
        case 'dependencies':
          return list(['project', 'dependencies']).some((d) => d.split(/[<>=!~;[ ]/)[0] === names.kebab);
        case 'sources':
          return names.kebab in ((getPath(root, ['tool', 'uv', 'sources']) as object | undefined) ?? {});
        case 'hatch':
          return getPath(root, ['tool', 'hatch', 'build', 'targets', 'wheel', 'packages']) === undefined
            ? null
            : list(['tool', 'hatch', 'build', 'targets', 'wheel', 'packages']).includes(location.member);
        case 'dockerfile':
          return read(names.dockerfile) !== undefined;
        case 'compose':
          return compose ? Boolean(compose.services?.[names.service]) : null;
        case 'depends_on':
          return compose ? dependents.length > 0 && dependents.every(([, s]) => dependsOn(s.depends_on).includes(names.service)) : null;
        case 'stack':
          return stack ? Boolean(stack.services?.[names.service]) : null;
        case 'workspace':
          return workspace
            ? (workspace.load_from ?? []).some((e) => e?.grpc_server?.location_name === names.snake || e?.grpc_server?.host === names.snake)
            : null;
        case 'bake':
          return bakeBlocks ? Boolean(findBlock(bakeBlocks, 'target', names.image)) : null;
        case 'bake_group':
          return bakeBlocks ? groupTargets.includes(names.image) : null;
        case 'pipelines':
          return pipelines
            ? [names.buildPushAnchor, names.deployAnchor].every((anchor) => anchors.has(anchor) && aliases.has(anchor))
            : null;
        case 'env':
          return read(names.envTemplate) !== undefined;
        case 'aliases':
          return aliasDicts.length === 0 ? null : aliasDicts.every((d) => d?.entries.some((e) => e.value === names.snake));
      }
    },
  };
}


/** depends_on as a list of service names, whichever form it takes. */
function dependsOn(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

function crossChecks(model: Monorepo, read: Reader): Problem[] {
  const problems: Problem[] = [];
  // Ports: each location's ports must agree across workspace.yaml, Dockerfile (EXPOSE + CMD) and compose.
  const byPort = new Map<number, string[]>();
  for (const location of model.locations) {
    const own = model.ports.filter((p, i, all) => p.owner === location.names.snake && all.findIndex((q) => q.port === p.port && q.file === p.file && q.what === p.what) === i);
    const distinct = [...new Set(own.map((p) => p.port))];
    if (distinct.length > 1) {
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
  // Stubs: every Dockerfile that runs `uv sync --frozen` copies every member's pyproject.toml.
  for (const dockerfile of model.frozenDockerfiles) {
    const text = read(dockerfile) ?? '';
    if (!runsFrozenSync(text)) continue;
    const copied = new Set(stubCopies(text).map((s) => s.member));
    for (const member of model.memberDirs.filter((m) => !copied.has(m))) {
      // The docker phase adds a location's own stub to every Dockerfile; another member's needs a person.
      const fixable = model.locations.some((l) => l.names.snake === member);
      problems.push({
        file: dockerfile,
        line: lineOf(text, /^COPY[^\n]*\/pyproject\.toml/m),
        problem: `does not COPY src/${member}/pyproject.toml, which \`uv sync --frozen\` needs`,
        fix: fixable
          ? `dagster-location doctor --fix (or add COPY src/${member}/pyproject.toml ./src/${member}/pyproject.toml next to the other stubs)`
          : `add COPY src/${member}/pyproject.toml ./src/${member}/pyproject.toml next to the other stubs`,
        location: fixable ? member : undefined,
        registry: fixable ? 'dockerfile' : undefined,
        fixable,
      });
    }
  }
  const bootstrap = read(model.conventions.files.bootstrapDockerfile);
  const baseDirs = new Map<string, string[]>();
  const baseDirLines = new Map<string, number>();
  for (const location of model.locations) {
    const { names } = location;
    // ClickHouse modules run in the bootstrap image, which has no dagster.
    if (location.hasClickhouse) {
      for (const file of ['__init__.py', 'asset_registry.py', 'summary_views.py']) {
        const path = `${location.member}/clickhouse/${file}`;
        const text = read(path);
        const importsDagster = /^[ \t]*(?:import\s+dagster\b|from\s+dagster(?:_\w+)?\s+import)/m;
        if (text && importsDagster.test(text)) {
          problems.push({
            location: names.snake,
            file: path,
            line: lineOf(text, importsDagster),
            problem: 'imports dagster, which the bootstrap image does not have',
            fix: 'import only polars, shared and the standard library',
            fixable: false,
          });
        }
      }
      const copies = bootstrap ? instructions(bootstrap).filter((i) => i.keyword === 'COPY').map((i) => i.args) : [];
      if (bootstrap !== undefined && !copies.some((args) => args.includes(`src/${names.snake}/clickhouse`))) {
        problems.push({
          location: names.snake,
          file: model.conventions.files.bootstrapDockerfile,
          // The other locations' clickhouse COPY lines, else the last COPY: where the lines go.
          line: lineOf(bootstrap, /^COPY[^\n]*\/clickhouse\b/m) ?? ((bootstrap ?? '').split('\n').findLastIndex((l) => /^COPY\b/.test(l)) + 1 || undefined),
          fixable: false,
          problem: `${names.snake} has a clickhouse/ package that the bootstrap image does not COPY`,
          fix: `add COPY src/${names.snake}/__init__.py ./src/${names.snake}/__init__.py and COPY src/${names.snake}/clickhouse ./src/${names.snake}/clickhouse next to the other locations' lines`,
        });
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
