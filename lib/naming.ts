import { KEYWORDS } from './validate.js';

/**
 * Every name the guide's naming table derives from a location's package name and short name.
 * One function, applied both to the new location and to the canonical one, so the two can be
 * compared variant by variant (see renameMap).
 */
export interface LocationNames {
  /** Python package and directory name: network_analytics */
  snake: string;
  /** pyproject / PyPI name, the `--package` of uv: network-analytics */
  kebab: string;
  /** Dockerfile suffix: network.analytics */
  dotted: string;
  /** Short name, the workspace key for CLI convenience: analytics */
  short: string;
  /** The <UPPER> of the guide: the short name upper-cased: ANALYTICS */
  upper: string;
  /** src/network_analytics */
  packageDir: string;
  /** dagster-network-analytics (image name and bake target) */
  image: string;
  /** Dockerfile.network.analytics */
  dockerfile: string;
  /** ClickHouse database: network_analytics */
  database: string;
  /** Docker Swarm and compose service: network_analytics */
  service: string;
  /** DAGSTER_BUILD_TAG_ANALYTICS */
  buildTagVariable: string;
  /** SERVICE_IMAGE_NAME_ANALYTICS */
  serviceImageVariable: string;
  /** environments/network_analytics.env.template */
  envTemplate: string;
  /** bitbucket-pipelines.yml step anchors */
  buildPushAnchor: string;
  deployAnchor: string;
}

export function locationNames(packageName: string, shortName: string): LocationNames {
  const snake = packageName;
  const kebab = snake.replaceAll('_', '-');
  const upper = shortName.toUpperCase();
  return {
    snake,
    kebab,
    dotted: snake.replaceAll('_', '.'),
    short: shortName,
    upper,
    packageDir: `src/${snake}`,
    image: `dagster-${kebab}`,
    dockerfile: `Dockerfile.${snake.replaceAll('_', '.')}`,
    database: snake,
    service: snake,
    buildTagVariable: `DAGSTER_BUILD_TAG_${upper}`,
    serviceImageVariable: `SERVICE_IMAGE_NAME_${upper}`,
    envTemplate: `environments/${snake}.env.template`,
    buildPushAnchor: `build-push-${snake}`,
    deployAnchor: `deploy-${snake}`,
  };
}

/**
 * Every spelling of a location's name a file or a sentence may use, to be matched without regard
 * to case (so each stands for its lower, UPPER, Title and camel forms): the package name's words
 * joined by `_`, `-`, `.`, a space or nothing (`underwriting_ml`, `Underwriting ML`,
 * `underwritingMl`), and the short name. Longest first.
 */
export function nameSpellings(names: LocationNames): string[] {
  const words = names.snake.split('_').filter(Boolean);
  const spellings = new Set(['_', '-', '.', ' ', ''].map((joiner) => words.join(joiner)));
  spellings.add(names.short);
  return [...spellings].sort((a, b) => b.length - a.length);
}

/** The package name in words, sentence case: network_analytics → "Network analytics" (a new location's default description). */
export function nameInWords(packageName: string): string {
  const words = packageName.split('_').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The PyPI name a workspace member declares, back to its import name. */
export function snakeFromKebab(kebab: string): string {
  return kebab.toLowerCase().replaceAll('-', '_').replaceAll('.', '_');
}

/**
 * The default short name: the longest word of the package name, the last one on a tie.
 * It reproduces the guide's own choices: network_analytics → analytics,
 * vanguard_wholesale → wholesale, underwriting_ml → underwriting.
 */
export function defaultShortName(packageName: string, taken: Iterable<string> = []): string {
  const words = packageName.split('_').filter((word) => /^[a-z][a-z0-9]*$/.test(word) && !KEYWORDS.has(word));
  let best: string | undefined;
  for (const word of words) if (!best || word.length >= best.length) best = word;
  const used = new Set(taken);
  if (!best || used.has(best)) return packageName;
  return best;
}

export interface Renamer {
  /** Replace every name variant of one location with the other's, and its port. */
  apply(text: string): string;
  /** The pairs it replaces, longest first. */
  pairs: Array<[string, string]>;
}

/**
 * The rename map from one location's names to another's: every variant, longest first so
 * `underwriting_ml` wins over `underwriting`, each matched as a whole token (neither letters
 * nor digits around it, so `_`, `-`, `.` and `/` still separate) and the port as a whole
 * number. One pass, so replaced text is never replaced again.
 */
export function renamer(from: LocationNames, to: LocationNames, ports?: { from: number; to: number }): Renamer {
  const candidates: Array<[string, string]> = [
    [from.snake, to.snake],
    [from.kebab, to.kebab],
    [from.dotted, to.dotted],
    [from.snake.toUpperCase(), to.snake.toUpperCase()],
    [from.kebab.toUpperCase(), to.kebab.toUpperCase()],
    [from.upper, to.upper],
    [from.short, to.short],
  ];
  const seen = new Map<string, string>();
  for (const [a, b] of candidates) if (!seen.has(a)) seen.set(a, b);
  const names = [...seen.keys()].sort((x, y) => y.length - x.length);
  if (ports) seen.set(String(ports.from), String(ports.to));
  const pairs = [...seen.entries()].sort((x, y) => y[0].length - x[0].length);
  // The port only as a whole number: not inside 14001, 4001.5, 0.4001 or v1.4001.
  const port = ports ? `|(?<![A-Za-z0-9]|\\d\\.)${escapeRegExp(String(ports.from))}(?![A-Za-z0-9]|\\.\\d)` : '';
  const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${names.map(escapeRegExp).join('|')})(?![A-Za-z0-9])${port}`, 'g');
  return {
    pairs,
    apply: (text) => text.replace(pattern, (match) => seen.get(match) ?? match),
  };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
