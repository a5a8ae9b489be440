// Turns zod issues into short, path-qualified sentences ("server.port: must be at most 65535").
// Never echoes a rejected value: it might be a secret key.
import type { z } from 'zod';

export class ConfigError extends Error {
  /** `source` is the file name (or another label) every problem line starts with */
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${source}: ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** "links[2].mode", "server.publicKey"; the empty path is the whole file */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

const KEYS_SEPARATOR = '\u0000';

const typeWords: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

type RawIssue = z.core.$ZodRawIssue;

/** error map passed to safeParse: friendlier defaults than zod's; schema-level messages win */
export function configErrorMap(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${typeWords[issue.expected] ?? issue.expected}`;
    case 'unrecognized_keys': {
      const known = knownKeys(issue.inst);
      return issue.keys
        .map((key) => {
          const guess = closest(key, known);
          return guess ? `unknown key (did you mean "${guess}"?)` : 'unknown key';
        })
        .join(KEYS_SEPARATOR);
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'must not be empty' : `must be at least ${min} characters`;
      if (issue.origin === 'array') return `must have at least ${min} ${min === 1 ? 'entry' : 'entries'}`;
      return `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${max} characters`;
      if (issue.origin === 'array') return `must have at most ${max} entries`;
      return `must be at most ${max}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'is not valid here';
    default:
      return undefined;
  }
}

/** issues -> "path: message" lines, one per unknown key */
export function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split(KEYS_SEPARATOR);
      issue.keys.forEach((key, index) => {
        lines.push(`${formatPath([...issue.path, key])}: ${messages[index] ?? 'unknown key'}`);
      });
      continue;
    }
    const where = formatPath(issue.path);
    lines.push(where ? `${where}: ${issue.message}` : issue.message);
  }
  return lines;
}

function knownKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** the known key within edit distance 2 (typos like "hots", "publickey"), if any */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
