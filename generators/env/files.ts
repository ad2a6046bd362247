/**
 * Phase 7 as pure functions: the new location's env template (the variables every existing
 * template shares, the ClickHouse ones when wanted, empty values, the existing templates' line
 * endings) and the `.gitignore` rule that keeps real env files out of git.
 */
import { envKeys } from '../../lib/editors/env.js';
import { detectEol, insertLines, splitLines, type Eol } from '../../lib/editors/text.js';
import type { LocationNames } from '../../lib/naming.js';

/** Where the real env files are mounted at deploy time (NFS), read by the shared entrypoint. */
export const DEPLOY_ENV_DIR = '/opt/dagster/shared-data/environments';

export const SHARED_COMMENT = 'Shared by every code location';

export interface TemplateInput {
  names: LocationNames;
  /** The existing templates, the canonical location's first. */
  templates: Array<{ path: string; text: string }>;
  clickhouse?: { keys: string[]; comment: string };
}

/** The variables every existing template declares, in the order of the first one. */
export function sharedKeys(templates: Array<{ text: string }>): string[] {
  if (templates.length === 0) return [];
  const [first, ...rest] = templates.map((t) => envKeys(t.text));
  return [...new Set(first)].filter((key) => rest.every((keys) => keys.includes(key)));
}

/**
 * The comment over the group of `keys` in a template, when that group (the lines up to the next
 * blank line or comment) holds only shared keys and its comment is not the file's header.
 */
export function groupComment(text: string, keys: string[]): string | undefined {
  const lines = splitLines(text);
  const at = lines.findIndex((l) => envKeys(l).length === 1 && keys.includes(envKeys(l)[0]));
  if (at < 1) return undefined;
  let top = at;
  while (top > 0 && /^\s*#/.test(lines[top - 1])) top--;
  if (top === at || top === 0) return undefined;
  const group: string[] = [];
  for (let i = at; i < lines.length && lines[i].trim() !== '' && !/^\s*#/.test(lines[i]); i++) group.push(...envKeys(lines[i]));
  if (!group.every((key) => keys.includes(key))) return undefined;
  return lines[at - 1].replace(/^\s*#\s?/, '').trim() || undefined;
}

/** The line ending of the canonical (first) template, else LF. */
export function templatesEol(templates: Array<{ text: string }>): Eol {
  return templates.length > 0 ? detectEol(templates[0].text) : '\n';
}

export function envTemplateText(input: TemplateInput): string {
  const { names } = input;
  const shared = sharedKeys(input.templates);
  const sharedComment = (input.templates[0] && groupComment(input.templates[0].text, shared)) ?? SHARED_COMMENT;
  const clickhouse = (input.clickhouse?.keys ?? []).filter((key) => !shared.includes(key));
  const lines = [
    `# ${names.snake} environment`,
    '#',
    '# Template only: commit no values here. At deploy time the real file goes on the shared',
    `# NFS volume at ${DEPLOY_ENV_DIR}/${names.snake}.env,`,
    '# where the shared entrypoint sources it when the code server starts.',
    ...(shared.length > 0 ? ['', `# ${sharedComment}`, ...shared.map((key) => `${key}=`)] : []),
    ...(clickhouse.length > 0 ? ['', `# ${input.clickhouse!.comment}`, ...clickhouse.map((key) => `${key}=`)] : []),
    '',
    `# ${names.snake}'s own variables (API keys, service URLs, ...) go below, with empty values.`,
  ];
  const eol = templatesEol(input.templates);
  return lines.join(eol) + eol;
}

// ---------------------------------------------------------------- .gitignore

/** Whether git would ignore `path` by these rules (last match wins; a directory rule covers its contents). */
export function gitignoreIgnores(text: string, path: string): boolean {
  let ignored = false;
  const parts = path.split('/');
  const candidates = parts.map((_, i) => ({ path: parts.slice(0, i + 1).join('/'), isDir: i < parts.length - 1 }));
  for (const raw of splitLines(text)) {
    const line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    let pattern = negated ? line.slice(1) : line;
    const dirOnly = pattern.endsWith('/');
    if (dirOnly) pattern = pattern.slice(0, -1);
    const anchored = pattern.includes('/');
    pattern = pattern.replace(/^\//, '');
    const re = globRegExp(pattern);
    const matches = candidates.some((c) => {
      if (dirOnly && !c.isDir) return false;
      const subject = anchored ? c.path : c.path.split('/').at(-1)!;
      return re.test(subject);
    });
    if (matches) ignored = !negated;
  }
  return ignored;
}

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('/**', i) && i + 3 === glob.length) {
      re += '/.*';
      i += 2;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (ch === '\\' && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Append `rule` to a .gitignore in its style: a file whose groups open with comment lines gets
 * a blank line, a comment and the rule; a bare list gets the rule alone. Line endings and the
 * final-newline habit are kept.
 */
export function addGitignoreRule(text: string, rule: string, comment: string): string {
  const lines = splitLines(text);
  if (lines.some((l) => l.trim() === rule)) return text;
  const commented = lines.some((l, i) => /^\s*#/.test(l) && i + 1 < lines.length && lines[i + 1].trim() !== '' && !lines[i + 1].startsWith('#'));
  const block = commented ? [...(lines.length > 0 && lines.at(-1)!.trim() !== '' ? [''] : []), `# ${comment}`, rule] : [rule];
  return insertLines(text, text.length, block);
}

/** The env template of a location, in the monorepo's environments folder. */
export function envTemplatePath(envDir: string, snake: string): string {
  return `${envDir}/${snake}.env.template`;
}
