/**
 * The assets a location already defines, read from the source of its assets package: every
 * top-level function decorated with `@asset` / `@dg.asset` / `@dagster.asset` (or
 * `@graph_asset`), with its asset key (`key=`, or `key_prefix=` + `name=` or the function name),
 * its description and the view name the ClickHouse registry gives it. Keys that are not plain
 * literals, and multi-assets, are reported so a person can add them by hand.
 */
import { closingToken, pythonTokens, type PyToken } from '../../lib/editors/python.js';

export interface FoundAsset {
  /** Slash-joined asset key path, also the Parquet path under the location's base_dir. */
  key: string;
  view: string;
  description?: string;
  /** Where it is defined, e.g. src/vanguard_wholesale/assets/ingest.py:37 */
  where: string;
}

export interface AssetScan {
  assets: FoundAsset[];
  /** Asset definitions whose key could not be read, as `file:line function (why)`. */
  unread: string[];
}

type Value = string | string[] | undefined;

const SINGLE_ASSET = /^(?:(?:dg|dagster)\.)?(?:asset|graph_asset)$/;
const MULTI_ASSET = /^(?:(?:dg|dagster)\.)?(?:multi_asset|graph_multi_asset)$/;

/** Scan the given files (path and text) in order. */
export function scanAssets(files: Array<{ path: string; text: string }>): AssetScan {
  const assets: Array<Omit<FoundAsset, 'view'>> = [];
  const unread: string[] = [];
  for (const file of files) {
    const tokens = pythonTokens(file.text);
    for (const def of decoratedFunctions(tokens)) {
      const where = `${file.path}:${lineOf(file.text, def.line)}`;
      for (const decorator of def.decorators) {
        if (MULTI_ASSET.test(decorator.name)) {
          unread.push(`${where} ${def.name} (a multi-asset: list its assets by hand)`);
          continue;
        }
        if (!SINGLE_ASSET.test(decorator.name)) continue;
        const key = assetKey(def.name, decorator.kwargs);
        if (!key) {
          unread.push(`${where} ${def.name} (its key is not a literal)`);
          continue;
        }
        const description = decorator.kwargs.has('description') ? asString(decorator.kwargs.get('description')) : def.docstring;
        assets.push({ key: key.join('/'), description: description ? oneLine(description) : undefined, where });
      }
    }
  }
  return { assets: withViewNames(assets), unread };
}

interface DecoratedFunction {
  name: string;
  line: number;
  docstring?: string;
  decorators: Array<{ name: string; kwargs: Map<string, Value | PyToken[]> }>;
}

/** Top-level (column 0) functions with their decorators. */
function decoratedFunctions(tokens: PyToken[]): DecoratedFunction[] {
  const found: DecoratedFunction[] = [];
  let pending: DecoratedFunction['decorators'] = [];
  let pendingStart: number | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const lineStart = k === 0 || tokens[k - 1].kind === 'newline';
    if (!lineStart || t.column !== 0) continue;
    if (t.kind === 'op' && t.text === '@') {
      let j = k + 1;
      let name = '';
      while (j < tokens.length && (tokens[j].kind === 'name' || tokens[j].text === '.')) name += tokens[j++].text;
      const kwargs = new Map<string, Value | PyToken[]>();
      if (tokens[j]?.text === '(') {
        const close = closingToken(tokens, j);
        for (const arg of splitArgs(tokens, j, close)) {
          if (arg.length >= 2 && arg[0].kind === 'name' && arg[1].text === '=') kwargs.set(arg[0].text, readValue(arg.slice(2)));
        }
        j = close + 1;
      }
      pending.push({ name, kwargs });
      pendingStart ??= t.start;
      k = j - 1;
      continue;
    }
    const isDef = t.kind === 'name' && (t.text === 'def' || (t.text === 'async' && tokens[k + 1]?.text === 'def'));
    if (isDef) {
      const nameToken = tokens[t.text === 'async' ? k + 2 : k + 1];
      if (pending.length > 0 && nameToken?.kind === 'name') {
        found.push({ name: nameToken.text, line: pendingStart ?? t.start, decorators: pending, docstring: docstringAfter(tokens, k) });
      }
    }
    pending = [];
    pendingStart = undefined;
  }
  return found;
}

/** The arguments between tokens[open] and tokens[close], split at their top-level commas. */
function splitArgs(tokens: PyToken[], open: number, close: number): PyToken[][] {
  const depth = tokens[open].depth + 1;
  const args: PyToken[][] = [[]];
  for (let k = open + 1; k < close; k++) {
    if (tokens[k].text === ',' && tokens[k].depth === depth) args.push([]);
    else args.at(-1)!.push(tokens[k]);
  }
  return args.filter((a) => a.length > 0);
}

/** A literal value: a string (adjacent literals joined), a list/tuple of strings, or an AssetKey(...) of one. */
function readValue(tokens: PyToken[]): Value {
  if (tokens.length === 0) return undefined;
  if (tokens.every((t) => t.kind === 'string')) {
    if (tokens.some((t) => t.value === undefined)) return undefined;
    return tokens.map((t) => t.value).join('');
  }
  const first = tokens[0];
  if (first.text === '[' || first.text === '(') {
    const close = closingToken(tokens, 0);
    if (close !== tokens.length - 1) return undefined;
    const items = splitArgs(tokens, 0, close).map(readValue);
    return items.every((v): v is string => typeof v === 'string') ? items : undefined;
  }
  // AssetKey([...]) / dg.AssetKey("x")
  let j = 0;
  let callee = '';
  while (j < tokens.length && (tokens[j].kind === 'name' || tokens[j].text === '.')) callee += tokens[j++].text;
  if (/(^|\.)AssetKey$/.test(callee) && tokens[j]?.text === '(') {
    const close = closingToken(tokens, j);
    if (close !== tokens.length - 1) return undefined;
    const args = splitArgs(tokens, j, close);
    if (args.length !== 1) return undefined;
    const inner = readValue(args[0]);
    return typeof inner === 'string' ? [inner] : inner;
  }
  return undefined;
}

function asString(value: Value | PyToken[]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function assetKey(functionName: string, kwargs: Map<string, Value | PyToken[]>): string[] | undefined {
  if (kwargs.has('key')) {
    const key = kwargs.get('key') as Value;
    return typeof key === 'string' ? [key] : key;
  }
  const name = kwargs.has('name') ? asString(kwargs.get('name')) : functionName;
  if (name === undefined) return undefined;
  if (!kwargs.has('key_prefix')) return [name];
  const prefix = kwargs.get('key_prefix') as Value;
  if (prefix === undefined) return undefined;
  return [...(typeof prefix === 'string' ? [prefix] : prefix), name];
}

/** The docstring of the function whose `def` is tokens[k], if its body starts with one. */
function docstringAfter(tokens: PyToken[], k: number): string | undefined {
  let j = k;
  while (j < tokens.length && !(tokens[j].text === ':' && tokens[j].depth === 0)) j++;
  const next = tokens[j + 1]?.kind === 'newline' ? tokens[j + 2] : tokens[j + 1];
  return next?.kind === 'string' ? next.value : undefined;
}

/** The first paragraph, on one line. */
function oneLine(text: string): string {
  return text.trim().split(/\n\s*\n/)[0].replace(/\s+/g, ' ');
}

/**
 * View names: the last part of the key, as a ClickHouse identifier; when two assets would get the
 * same name, the whole key joined with `_` for those.
 */
function withViewNames(assets: Array<Omit<FoundAsset, 'view'>>): FoundAsset[] {
  const ident = (text: string) => text.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_');
  const short = assets.map((a) => ident(a.key.split('/').at(-1)!));
  return assets.map((a, i) => ({
    ...a,
    view: short.filter((s) => s === short[i]).length > 1 ? ident(a.key.replaceAll('/', '_')) : short[i],
  }));
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
