/**
 * Enough of PEP 440 and PEP 508 for the checks: release versions (no pre-releases), specifier
 * sets such as ">=1.12,<1.13" or "~=0.27", and requirement strings such as
 * `dagster-polars[lazy]>=0.27.6 ; python_version >= "3.12"`.
 */

export interface Requirement {
  /** Normalized (PEP 503): lower case, runs of -_. as one dash. */
  name: string;
  extras: string[];
  specifier: string;
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function parseRequirement(text: string): Requirement | undefined {
  const withoutMarker = text.split(';')[0].trim();
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(withoutMarker);
  if (!m) return undefined;
  if (m[3].startsWith('@')) return { name: normalizeName(m[1]), extras: [], specifier: '' }; // a direct URL
  const extras = (m[2] ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  return { name: normalizeName(m[1]), extras, specifier: m[3].replace(/^\(|\)$/g, '').trim() };
}

function release(version: string): number[] {
  return version.replace(/^v/, '').split(/[^0-9.]/)[0].split('.').filter(Boolean).map(Number);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

interface Clause {
  op: string;
  version: string;
}

function clauses(specifier: string): Clause[] {
  return specifier
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const m = /^(===|==|!=|~=|>=|<=|>|<)\s*(.+)$/.exec(c);
      if (!m) throw new Error(`unreadable version specifier "${c}"`);
      return { op: m[1], version: m[2].trim() };
    });
}

function clauseHolds(version: number[], { op, version: spec }: Clause): boolean {
  if ((op === '==' || op === '!=') && spec.endsWith('.*')) {
    const prefix = release(spec.slice(0, -2));
    const matches = prefix.every((n, i) => (version[i] ?? 0) === n);
    return op === '==' ? matches : !matches;
  }
  const v = release(spec);
  const c = compare(version, v);
  switch (op) {
    case '==':
    case '===':
      return c === 0;
    case '!=':
      return c !== 0;
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    case '~=': {
      const prefix = v.slice(0, Math.max(1, v.length - 1));
      return c >= 0 && prefix.every((n, i) => (version[i] ?? 0) === n);
    }
  }
  return false;
}

export function satisfies(version: string, specifier: string): boolean {
  const v = release(version);
  return clauses(specifier).every((clause) => clauseHolds(v, clause));
}

/** A version that satisfies every specifier given (for a stub distribution), or undefined. */
export function versionFor(specifiers: string[]): string | undefined {
  const all = specifiers.flatMap(clauses);
  const candidates = new Set<string>();
  for (const { op, version } of all) {
    const v = release(version.replace(/\.\*$/, ''));
    if (op === '>=' || op === '==' || op === '===' || op === '~=') candidates.add(v.join('.'));
    if (op === '>') candidates.add([...v.slice(0, -1), (v.at(-1) ?? 0) + 1].join('.'));
  }
  candidates.add('1.0.0');
  candidates.add('0.1.0');
  const sorted = [...candidates].sort((a, b) => compare(release(b), release(a)));
  return sorted.find((candidate) => all.every((clause) => clauseHolds(release(candidate), clause)));
}
