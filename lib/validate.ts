/**
 * Input validation. Each check returns a message that says what is wrong and what would be
 * right, or undefined when the value is fine; the same functions back the prompts' `validate`.
 */
import { where, type Monorepo } from './monorepo.js';
import { STDLIB_MODULES } from './stdlib-modules.js';

export const KEYWORDS: ReadonlySet<string> = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
export const SOFT_KEYWORDS: ReadonlySet<string> = new Set(['match', 'case', 'type', '_']);

/** `dagster-<kebab>` must stay a valid 63-character DNS label / Docker name. */
export const MAX_PACKAGE_NAME = 63 - 'dagster-'.length;

export function toSnakeCase(value: string): string {
  return value
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

export function checkPackageName(name: string, model?: Monorepo): string | undefined {
  if (!name) return 'a package name is required, e.g. network_analytics';
  if (!/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/.test(name)) {
    const suggestion = toSnakeCase(name);
    // Suggest only a name that would itself pass (not `class` for "Class").
    const hint = suggestion && suggestion !== name && !checkPackageName(suggestion, model) ? `: ${suggestion}` : ' (lowercase letters, digits, single underscores; starting with a letter)';
    return `"${name}" is not a snake_case package name; use snake_case${hint}`;
  }
  if (KEYWORDS.has(name)) return `"${name}" is a Python keyword; choose another name`;
  if (SOFT_KEYWORDS.has(name)) return `"${name}" is a Python keyword (a soft keyword); choose another name`;
  if (STDLIB_MODULES.has(name)) return `"${name}" would shadow the standard-library module ${name}; choose another name`;
  if (name.length > MAX_PACKAGE_NAME) {
    return `"${name}" is ${name.length} characters; at most ${MAX_PACKAGE_NAME} keep "dagster-<name>" a valid 63-character Docker name`;
  }
  // An existing location is not shadowing anything: re-running for it completes or confirms it.
  if (model?.locations.some((l) => l.names.snake === name)) return undefined;
  if (model?.importNames.has(name)) {
    const source = model.importSources?.get(name);
    const from = source ? ` (${source.what ? `${source.what} in ` : ''}${where(source)})` : ' (every code location imports it)';
    return `"${name}" would shadow the "${name}" import the workspace already uses${from}; choose another name`;
  }
  if (model && model.memberDirs.includes(name) && !model.locations.some((l) => l.names.snake === name)) {
    return `"${name}" is a workspace member that is not a code location`;
  }
  return undefined;
}

/** One line of prose: it goes into pyproject.toml, comments and labels, each one line long. */
export function checkDescription(description: string): string | undefined {
  if (!description.trim()) return 'a description is required, e.g. Network analytics';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(description)) return 'the description is one line of text (no line break, tab or control character)';
  return undefined;
}

export function checkShortName(short: string, packageName: string, model?: Monorepo): string | undefined {
  if (!short) return 'a short name is required, e.g. analytics';
  if (!/^[a-z][a-z0-9_]*$/.test(short)) {
    const suggestion = toSnakeCase(short);
    const example = suggestion && /^[a-z][a-z0-9_]*$/.test(suggestion) && !KEYWORDS.has(suggestion) ? suggestion : 'analytics';
    return `"${short}" is not a valid short name; use lowercase letters, digits and underscores, starting with a letter, e.g. ${example}`;
  }
  if (KEYWORDS.has(short)) return `"${short}" is a Python keyword; choose another short name`;
  const owner = model?.locations.find((l) => l.names.short === short && l.names.snake !== packageName);
  if (owner) return `short name "${short}" is already used by ${owner.names.snake}${owner.shortFrom ? ` (${where(owner.shortFrom)}: ${owner.shortFrom.what})` : ''}`;
  const clash = model?.locations.find((l) => l.names.snake === short && l.names.snake !== packageName);
  if (clash) return `short name "${short}" is the package name of another location`;
  // Its DAGSTER_BUILD_TAG_<UPPER> already set by another service of the Swarm stack.
  const tag = model?.buildTags?.find((t) => t.short === short && t.service !== packageName);
  if (tag) return `short name "${short}" is taken: ${where(tag)} already uses DAGSTER_BUILD_TAG_${short.toUpperCase()}${tag.service ? ` (service ${tag.service})` : ''}`;
  return undefined;
}

export function checkPort(value: unknown, packageName: string, model?: Monorepo): string | undefined {
  const text = String(value ?? '').trim();
  if (!/^\d+$/.test(text)) return `port "${text}" is not a whole number; use one from 1024 to 65535`;
  const port = Number(text);
  if (port < 1024 || port > 65535) return `port ${port} is out of range; use one from 1024 to 65535`;
  if (!model) return undefined;
  if (port === model.conventions.webserverPort) {
    const from = model.webserverPortFrom ? `webserverPort in ${where(model.webserverPortFrom)}` : 'the default webserverPort; .yo-rc.json can set another';
    return `port ${port} is the Dagster webserver's (${from})`;
  }
  const others = model.ports.filter((p) => p.port === port && p.owner !== packageName);
  if (others.length > 0) {
    const uses = [...new Set(others.map((p) => `${where(p)}: ${p.what}`))];
    return `port ${port} is already used (${uses.join('; ')})`;
  }
  return undefined;
}
