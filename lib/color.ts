/**
 * When output is coloured, and the colours themselves (a few ANSI codes; no library, so the bin
 * can decide before anything that colours is loaded).
 *
 * FORCE_COLOR set to anything but `0`/`false` colours every stream; otherwise NO_COLOR set to
 * anything but the empty string turns colour off; otherwise a stream is coloured when it is a
 * terminal (and TERM is not `dumb`). FORCE_COLOR wins over NO_COLOR, as in Node itself.
 */
type Env = Record<string, string | undefined>;

export function useColor(stream: { isTTY?: boolean }, env: Env = process.env): boolean {
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  if (env.NO_COLOR) return false;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function stderrTakesColor(env: Env = process.env): boolean {
  return useColor(process.stderr, env);
}

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const CODES: Record<keyof Paint, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** Colouring functions, or the identity for each when `enabled` is false. */
export function paint(enabled: boolean): Paint {
  const entries = Object.entries(CODES).map(([name, [open, close]]) => [
    name,
    enabled ? (text: string) => (text === '' ? '' : `\u001b[${open}m${text}\u001b[${close}m`) : (text: string) => text,
  ]);
  return Object.fromEntries(entries) as Paint;
}

/** The visible width of a text (ANSI codes left out). */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001b\[[0-9;]*m/g, '')].length;
}
