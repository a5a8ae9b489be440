// JSON reading for config files with errors a person can act on: line:column of the first
// syntax error and duplicate keys (JSON.parse silently keeps the last one). Messages never quote
// the file's text, since a config may hold a secret key.

export class JsonTextError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${line}:${column}: ${reason}`);
  }
}

/** parses JSON text (a leading UTF-8 BOM is allowed); throws JsonTextError */
export function parseJsonText(input: string): unknown {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const offset = input.length - text.length;
  const problem = scan(text);
  if (problem) {
    const { line, column } = lineColumn(input, problem.at + offset);
    throw new JsonTextError(line, column, problem.reason);
  }
  return JSON.parse(text);
}

export function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

type Problem = { at: number; reason: string };

/** a recursive-descent validator; returns the first problem, or undefined when the text is valid */
function scan(text: string): Problem | undefined {
  let i = 0;
  let depth = 0;
  const fail = (reason: string, at = i): never => {
    throw { at, reason } satisfies Problem;
  };
  const describe = (): string => (i >= text.length ? 'end of file' : `'${text[i]}'`);
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return out;
      }
      if (c < 0x20) fail('line break or control character inside a string (strings must be on one line)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in string');
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          out += e;
          i += 2;
        } else fail('bad escape in string');
      } else {
        out += text[i];
        i++;
      }
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if ((c === '{' || c === '[') && ++depth > 64) fail('nested too deeply');
    if (c === '{') return void (object(), depth--);
    if (c === '[') return void (array(), depth--);
    if (c === '"') return void string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
      if (!m || m[0] === '-') fail('bad number');
      i += m![0].length;
      if (i < text.length && /[0-9.eE]/.test(text[i]!)) fail('bad number (no leading zeros)');
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (c === "'") fail("strings must use double quotes, not '");
    if (c === '}' || c === ']') fail(`expected a value, found ${describe()} (trailing comma?)`);
    fail(`expected a value, found ${describe()}`);
  };
  const object = (): void => {
    i++;
    const keys = new Set<string>();
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') {
        fail(text[i] === '}' ? "trailing comma before '}'" : `expected a double-quoted key, found ${describe()}`);
      }
      const keyAt = i;
      const key = string();
      if (keys.has(key)) fail(`duplicate key "${key}"`, keyAt);
      keys.add(key);
      ws();
      if (text[i] !== ':') fail(`expected ':' after key "${key}", found ${describe()}`);
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected ',' or '}' after a value, found ${describe()}`);
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === ']') fail("trailing comma before ']'");
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected ',' or ']' after a list entry, found ${describe()}`);
    }
  };
  try {
    ws();
    if (i >= text.length) fail('file is empty (expected a JSON object)');
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (error && typeof error === 'object' && 'reason' in error) return error as Problem;
    throw error;
  }
}
