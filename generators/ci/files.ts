/**
 * Phase 6's edits, as pure functions of a file's text: the gRPC server entry of workspace.yaml,
 * the docker-bake.hcl target and its place in the default group, and the bitbucket-pipelines.yml
 * build and deploy steps with every reference to them. Each copies what the canonical location
 * has (renamed), so the new entries follow their siblings' style, and each is idempotent.
 */
import type { Document, YAMLSeq } from 'yaml';
import type { RunContext } from '../../lib/location-generator.js';
import type { Location } from '../../lib/monorepo.js';
import { renamer, type LocationNames, type Renamer } from '../../lib/naming.js';
import { appendToBlockList, blockList, cloneBlock, findBlock, hclBlocks, insertBlock, listStrings } from '../../lib/editors/hcl.js';
import { EditError, insertLines, lineNumber, nextLineStart } from '../../lib/editors/text.js';
import {
  aliasesOf,
  anchoredNodes,
  cloneEntry,
  enclosingSeqItem,
  findNodes,
  isScalar,
  isSeq,
  parseYaml,
  samePath,
  toJs,
  YamlEdits,
  type YamlPath,
} from '../../lib/editors/yaml.js';

/** The locations whose entries a new one may copy: the canonical first, then the others, last first. */
function sourceLocations(ctx: RunContext): Location[] {
  const others = ctx.model.locations.filter((l) => l.names.snake !== ctx.names.snake);
  const canonical = others.find((l) => l.names.snake === ctx.model.canonical?.names.snake);
  return [...(canonical ? [canonical] : []), ...others.filter((l) => l !== canonical).reverse()];
}

function renamerFrom(source: LocationNames, ctx: RunContext, port: number | undefined): Renamer {
  return renamer(source, ctx.names, port !== undefined ? { from: port, to: ctx.port } : undefined);
}

/**
 * A copied entry's comment lines that call the source "canonical" speak of the source, not of
 * the copy: `(canonical example)` and `-- canonical, copy this one` are dropped from them, and a
 * comment line that is still about the canonical location after that is dropped entirely.
 */
export function withoutCanonicalRemarks(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    const comment = /^([ \t]*(?:#|\/\/))(.*?)(\r?)$/.exec(line);
    if (!comment || !/\bcanonical\b/i.test(comment[2])) {
      kept.push(line);
      continue;
    }
    const body = comment[2]
      .replace(/[ \t]*\((?:the[ \t]+)?canonical\b[^)]*\)/gi, '')
      .replace(/[ \t]*(?:--|—|–|[,;:])[ \t]*(?:the[ \t]+)?canonical\b.*?(?=[ \t]*-{2,}[ \t]*$|$)/gi, '');
    if (/\bcanonical\b/i.test(body) || body.trim() === '') continue;
    kept.push(comment[1] + body + comment[3]);
  }
  return kept.join('\n');
}

// ------------------------------------------------------------------ workspace.yaml

interface GrpcServer {
  host?: unknown;
  port?: unknown;
  location_name?: unknown;
}

function serverName(server: GrpcServer | undefined): string | undefined {
  const name = server?.location_name ?? server?.host;
  return typeof name === 'string' ? name : undefined;
}

/**
 * `load_from` gets a `- grpc_server:` entry for the new location: a renamed copy of the
 * canonical location's entry (key order, quoting, indentation and its comment come along), or of
 * the last entry of a known location when the canonical has none; placed after the last entry.
 */
export function addWorkspaceEntry(text: string, ctx: RunContext, file: string): string {
  const doc = parseYaml(text, file);
  const loadFrom = doc.get('load_from', true);
  if (!isSeq(loadFrom)) throw new EditError('no `load_from:` list of code servers', file);
  const entries = ((toJs(doc) as { load_from: unknown[] }).load_from ?? []).map(
    (entry) => (entry as { grpc_server?: GrpcServer } | null)?.grpc_server,
  );
  const snake = ctx.names.snake;
  if (entries.some((server) => serverName(server) === snake || server?.host === snake)) return text;

  const names = entries.map(serverName);
  const others = ctx.model.locations.filter((l) => l.names.snake !== snake);
  const canonical = others.find((l) => l.names.snake === ctx.model.canonical?.names.snake);
  let index = canonical ? names.indexOf(canonical.names.snake) : -1;
  let source = index !== -1 ? canonical : undefined;
  for (let i = names.length - 1; !source && i >= 0; i--) {
    source = others.find((l) => l.names.snake === names[i]);
    if (source) index = i;
  }
  if (!source) throw new EditError(`no grpc_server entry of a known code location to copy into ${snake}'s`, file);
  const port = Number(entries[index]?.port);
  const rename = renamerFrom(source.names, ctx, Number.isInteger(port) ? port : source.port);
  const result = cloneEntry(text, {
    file,
    path: ['load_from'],
    source: index,
    after: loadFrom.items.length - 1,
    transform: (t) => withoutCanonicalRemarks(rename.apply(t)),
  });
  const added = (toJs(parseYaml(result, file)) as { load_from: Array<{ grpc_server?: GrpcServer }> }).load_from.at(-1)?.grpc_server;
  if (serverName(added) !== snake || Number(added?.port) !== ctx.port) {
    throw new EditError(`the copy of ${source.names.snake}'s grpc_server entry did not come out as ${snake} on port ${ctx.port}`, file);
  }
  return bumpNextFreePortHint(result, ctx);
}

/** A `# next free port: 4002` comment naming the port just taken moves on to the next free one. */
function bumpNextFreePortHint(text: string, ctx: RunContext): string {
  const used = new Set([...ctx.model.ports.map((p) => p.port), ctx.port]);
  let next = Math.max(ctx.model.conventions.basePort, ctx.port);
  while (used.has(next)) next++;
  return text.replace(
    /^([ \t]*#.*\bnext free port\b\D*?)(\d+)\b/gim,
    (whole, before: string, port: string) => (Number(port) === ctx.port ? `${before}${next}` : whole),
  );
}

// ------------------------------------------------------------------ docker-bake.hcl

/**
 * A `target "dagster-<kebab>"` block, copied from the canonical location's target (renamed) or
 * written from the guide when there is none, after the last location target; then its name in
 * the `default` group's targets. Returns the warnings for parts that could not be done.
 */
export function addBakeTarget(text: string, ctx: RunContext, file: string): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  const blocks = hclBlocks(text, file);
  const image = ctx.names.image;
  const siblingImages = new Set(ctx.model.locations.filter((l) => l.names.snake !== ctx.names.snake).map((l) => l.names.image));
  const after = blocks.filter((b) => b.type === 'target' && siblingImages.has(b.labels[0] ?? '')).at(-1)?.labels[0];
  const canonical = ctx.model.canonical;
  let result = text;
  if (canonical && canonical.names.snake !== ctx.names.snake && findBlock(blocks, 'target', canonical.names.image)) {
    const rename = renamerFrom(canonical.names, ctx, canonical.port);
    result = cloneBlock(result, {
      type: 'target',
      source: canonical.names.image,
      newLabel: image,
      after,
      transform: (t) => withoutCanonicalRemarks(rename.apply(t)),
      file,
    });
  } else {
    const like = findBlock(blocks, 'target', after ?? '') ?? blocks.find((b) => b.type === 'target');
    result = insertBlock(result, { type: 'target', label: image, blockText: guideTarget(ctx, like && targetStyle(text, like)), after, file });
  }
  if (findBlock(hclBlocks(result, file), 'group', 'default')) {
    const listed = listStrings(result, blockList(result, { type: 'group', label: 'default', attribute: 'targets' }, file));
    const lastSibling = listed.filter((name) => siblingImages.has(name)).at(-1);
    result = appendToBlockList(result, { type: 'group', label: 'default', attribute: 'targets', value: image, after: lastSibling, file });
  } else {
    warnings.push(`${file} has no group "default": add "${image}" to the targets you build by hand.`);
  }
  return { text: result, warnings };
}

/** How a target's attributes are written: their indentation, and whether the `=` line up. */
export interface TargetStyle {
  indent: string;
  align: boolean;
}

/** The style of an existing target block (so a target written from the guide looks like its neighbours). */
export function targetStyle(text: string, block: { open: number; close: number }): TargetStyle {
  const lines = [...text.slice(block.open + 1, block.close).matchAll(/^([ \t]+)([A-Za-z_][\w-]*)([ \t]*)=/gm)];
  const indent = lines[0]?.[1] ?? '  ';
  const columns = new Set(lines.map((m) => m[1].length + m[2].length + m[3].length));
  return { indent, align: lines.length > 1 && columns.size === 1 && lines.some((m) => m[3].length > 1) };
}

/** Phase 6's target block, as the guide writes it (in a sibling target's style when given). */
export function guideTarget(ctx: RunContext, style: TargetStyle = { indent: '  ', align: false }): string {
  const { registry, platforms } = ctx.model.conventions;
  const { indent } = style;
  const attributes: Array<[string, string]> = [
    ['context', '"."'],
    ['dockerfile', `"${ctx.names.dockerfile}"`],
    ['tags', `[\n${indent}${indent}"${registry}/${ctx.names.image}:latest"\n${indent}]`],
    ['platforms', `[${platforms.map((p) => JSON.stringify(p)).join(', ')}]`],
    ['push', 'true'],
  ];
  const width = style.align ? Math.max(...attributes.map(([key]) => key.length)) : 0;
  return [`target "${ctx.names.image}" {`, ...attributes.map(([key, value]) => `${indent}${key.padEnd(width)} = ${value}`), '}'].join('\n');
}

// ------------------------------------------------------------------ bitbucket-pipelines.yml

type AnchorKind = 'buildPushAnchor' | 'deployAnchor';

/** Where the step anchored `&name` is: its list and index (`- step: &name`). */
function anchoredStep(doc: Document.Parsed, name: string, file: string): { path: YamlPath; seqPath: YamlPath; index: number } | undefined {
  const found = anchoredNodes(doc, name)[0];
  if (!found) return undefined;
  const item = enclosingSeqItem(found.path);
  if (!item || found.path.length - item.seqPath.length > 2) {
    throw new EditError(`&${name} is not a step of a list (\`- step: &${name}\`); cannot copy it`, file);
  }
  return { path: found.path, ...item };
}

function startsWith(path: YamlPath, prefix: YamlPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

/**
 * The `&build-push-<snake>` and `&deploy-<snake>` steps, copied from the canonical location's
 * (or, without them, another location's) anchored steps with every name variant and the port
 * renamed, each after the last location step of its kind; a reference to the new step next to
 * every reference to the copied one (parallel builds, the deploy stage, any other pipeline); and
 * the new location's paths in changeset `includePaths` lists, outside location steps, that list
 * the canonical location's paths (not its `/clickhouse` ones: the bootstrap image's business).
 * All are located in the file as it is and added (and verified) together.
 */
export function addPipelineSteps(text: string, ctx: RunContext, file: string): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  const edits = new YamlEdits(text, file);
  const { doc } = edits;
  let pathRename: Renamer | undefined;
  for (const kind of ['buildPushAnchor', 'deployAnchor'] as AnchorKind[]) {
    const anchor = ctx.names[kind];
    let source: Location | undefined;
    let step: ReturnType<typeof anchoredStep>;
    for (const location of sourceLocations(ctx)) {
      step = anchoredStep(doc, location.names[kind], file);
      if (step) {
        source = location;
        break;
      }
    }
    if (!source || !step) {
      if (!anchoredStep(doc, anchor, file)) warnings.push(`${file} has no location step &${kind === 'deployAnchor' ? 'deploy' : 'build-push'}-… to copy: add &${anchor} by hand.`);
      continue;
    }
    const rename = renamerFrom(source.names, ctx, source.port);
    const transform = (t: string) => withoutCanonicalRemarks(rename.apply(t));
    if (kind === 'buildPushAnchor') pathRename = rename;
    if (!anchoredStep(doc, anchor, file)) {
      let after = step.index;
      for (const location of ctx.model.locations) {
        if (location.names.snake === ctx.names.snake) continue;
        const sibling = anchoredStep(doc, location.names[kind], file);
        if (sibling && samePath(sibling.seqPath, step.seqPath) && sibling.index > after) after = sibling.index;
      }
      edits.clone({ path: step.seqPath, source: step.index, after, transform });
    }
    addReferences(edits, source.names[kind], anchor, transform, warnings);
  }
  if (pathRename) addIncludePaths(edits, ctx, pathRename);
  let result = edits.apply();
  const canonical = sourceLocations(ctx)[0];
  if (canonical) result = addVariableComment(result, ctx, canonical.names);
  return { text: result, warnings };
}

/**
 * A comment that documents the repository variables one per line (`#   SERVICE_IMAGE_NAME_X = dagster-x`)
 * gets the new location's line after the last of them, with `=` in the same column.
 */
function addVariableComment(text: string, ctx: RunContext, source: LocationNames): string {
  const variableLine = (name: string) => new RegExp(`^[ \\t]*#[ \\t]*${name}[ \\t]*=`);
  const lines: Array<{ start: number; text: string }> = [];
  for (let at = 0; at < text.length; at = nextLineStart(text, at)) lines.push({ start: at, text: text.slice(at, nextLineStart(text, at)).replace(/\r?\n$/, '') });
  if (lines.some((line) => variableLine(ctx.names.serviceImageVariable).test(line.text))) return text;
  const k = lines.findIndex((line) => variableLine(source.serviceImageVariable).test(line.text) && line.text.includes(source.image));
  if (k === -1) return text;
  let last = k;
  while (last + 1 < lines.length && variableLine('SERVICE_IMAGE_NAME_\\w+').test(lines[last + 1].text)) last++;
  const model = lines[k].text;
  const column = model.indexOf('=');
  const renamed = `${model.slice(0, model.indexOf(source.serviceImageVariable))}${ctx.names.serviceImageVariable}`;
  const line = `${renamed.padEnd(column - 1)} ${model.slice(column).replace(source.image, ctx.names.image)}`;
  return insertLines(text, nextLineStart(text, lines[last].start), [line]);
}

/**
 * Next to every `- step: *<source>` (in any pipeline), a `- step: *<anchor>`, unless the same
 * list already has one. References that are not list entries are reported, not guessed at.
 */
function addReferences(edits: YamlEdits, source: string, anchor: string, transform: (t: string) => string, warnings: string[]): void {
  const { doc, file, text } = edits;
  const present = aliasesOf(doc, anchor).map((a) => a.path);
  const planned: YamlPath[] = [];
  for (const alias of aliasesOf(doc, source)) {
    const item = enclosingSeqItem(alias.path);
    if (!item || alias.path.length - item.seqPath.length > 2) {
      const where = alias.node.range ? lineNumber(text, alias.node.range[0]) : undefined;
      const message = `${file}${where ? `:${where}` : ''}: *${source} is not a list entry; add *${anchor} next to it by hand.`;
      if (!warnings.includes(message)) warnings.push(message);
      continue;
    }
    const listed = present.some((p) => startsWith(p, item.seqPath) && p.length - item.seqPath.length <= 2) || planned.some((p) => samePath(p, item.seqPath));
    if (listed) continue;
    edits.clone({ path: item.seqPath, source: item.index, after: item.index, transform });
    planned.push(item.seqPath);
  }
}

/** Changeset `includePaths` outside location steps: the renamed counterpart of each canonical path. */
function addIncludePaths(edits: YamlEdits, ctx: RunContext, rename: Renamer): void {
  const { doc } = edits;
  const anchors = [...ctx.model.locations.map((l) => l.names), ctx.names].flatMap((n) => [n.buildPushAnchor, n.deployAnchor]);
  const steps = anchors.flatMap((anchor) => anchoredNodes(doc, anchor).map((found) => found.path));
  const lists = findNodes(doc, (node, path) => isSeq(node) && path.at(-1) === 'includePaths').filter(({ path }) => !steps.some((step) => startsWith(path, step)));
  for (const { node, path } of lists) {
    const values = (node as YAMLSeq).items.filter(isScalar).map((item) => String(item.value));
    const missing = values
      .filter((value) => !/\/clickhouse(\/|$)/.test(value))
      .map((value) => rename.apply(value))
      .filter((renamed) => !values.includes(renamed));
    for (const value of missing) edits.append({ path, value });
  }
}
