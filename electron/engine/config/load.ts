// Reading and validating the config files. parse* takes an already-decoded JSON value (tests,
// the app); load* reads the file, reports JSON syntax errors with line:column, checks the
// file's permissions and resolves secretKeyFile. Every failure is one ConfigError listing all
// problems, each line starting with the file name.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ClientFileSchema, type ClientConfig } from './client-schema';
import { allocatePool, parseCidr4 } from './cidr';
import { ConfigError, configErrorMap, formatIssues } from './errors';
import { isKeyShape, KEY_SHAPE_MESSAGE } from './fields';
import { JsonTextError, parseJsonText } from './json-text';
import { ServerFileSchema, type ServerConfig } from './server-schema';

export interface ParseOptions {
  /** directory a relative secretKeyFile is resolved against (default: the working directory) */
  baseDir?: string;
  /** permission bits of the file the value came from, to judge an inline secret key */
  fileMode?: number;
  /** where client warnings go (a secret readable by everyone); default: stderr */
  warn?: (message: string) => void;
}

export type LoadOptions = Pick<ParseOptions, 'warn'>;

const defaultWarn = (message: string): void => console.warn(`braid: warning: ${message}`);

export function parseClientConfig(value: unknown, sourceName: string, options: ParseOptions = {}): ClientConfig {
  const file = validate(ClientFileSchema, value, sourceName);
  const secrets = new SecretReader(sourceName, 'client', options);
  const device = secrets.resolve(file.device, 'device.');
  secrets.finish();
  return { ...file, device };
}

export function parseServerConfig(value: unknown, sourceName: string, options: ParseOptions = {}): ServerConfig {
  const file = validate(ServerFileSchema, value, sourceName);
  const secrets = new SecretReader(sourceName, 'server', options);
  const secret = secrets.resolve(file, '');
  secrets.finish();
  // the schema already proved the pool parses and the allocation succeeds
  const pool = parseCidr4(file.pool);
  const allocation = pool.ok ? allocatePool(pool.value, file.devices.map((d) => d.address)) : undefined;
  if (!pool.ok || !allocation?.ok) throw new ConfigError(sourceName, ['pool: could not allocate addresses']);
  const { secretKey: _inline, secretKeyFile: _file, ...rest } = file;
  return {
    ...rest,
    ...secret,
    poolPrefix: pool.value.prefix,
    address: allocation.value.server,
    devices: file.devices.map((d, i) => ({ name: d.name, publicKey: d.publicKey, address: allocation.value.devices[i]! })),
  };
}

export function loadClientConfig(file: string, options: LoadOptions = {}): ClientConfig {
  const { value, mode } = readConfigFile(file);
  return parseClientConfig(value, file, { ...options, baseDir: path.dirname(path.resolve(file)), fileMode: mode });
}

export function loadServerConfig(file: string, options: LoadOptions = {}): ServerConfig {
  const { value, mode } = readConfigFile(file);
  return parseServerConfig(value, file, { ...options, baseDir: path.dirname(path.resolve(file)), fileMode: mode });
}

function validate<S extends z.ZodType>(schema: S, value: unknown, sourceName: string): z.output<S> {
  const result = schema.safeParse(value, { error: configErrorMap });
  if (!result.success) throw new ConfigError(sourceName, formatIssues(result.error.issues));
  return result.data;
}

/** reads and decodes a config file; refuses one every user may write (the engine runs as root) */
export function readConfigFile(file: string): { value: unknown; mode: number } {
  let text: string;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    if (!stat.isFile()) throw new ConfigError(file, ['is not a regular file']);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, [describeFsError(error)]);
  }
  const mode = stat.mode & 0o777;
  if (mode & 0o002) {
    throw new ConfigError(file, [`is writable by every user (mode ${octal(mode)}); run: chmod o-w ${file}`]);
  }
  try {
    return { value: parseJsonText(text), mode };
  } catch (error) {
    if (error instanceof JsonTextError) throw new ConfigError(file, [`${error.line}:${error.column}: invalid JSON: ${error.reason}`]);
    throw error;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (run as root?)';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot read: ${(error as Error).message}`;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/**
 * Resolves an inline secret or a secretKeyFile and judges who can read it. A secret readable by
 * every user is refused on the server (it would let anyone impersonate the server) and warned
 * about on a client (a desktop user may still be setting things up).
 */
class SecretReader {
  private readonly problems: string[] = [];

  constructor(
    private readonly sourceName: string,
    private readonly role: 'client' | 'server',
    private readonly options: ParseOptions,
  ) {}

  resolve(fields: { secretKey?: string; secretKeyFile?: string }, prefix: string): { secretKey: string; secretKeyFile?: string } {
    if (fields.secretKey !== undefined) {
      if (this.options.fileMode !== undefined && this.options.fileMode & 0o004) {
        this.exposed(`${prefix}secretKey: this file holds a secret key but is readable by every user (mode ${octal(this.options.fileMode)}); run: chmod 640 ${this.sourceName} (group braidd when the service reads it) or move the key to a secretKeyFile`);
      }
      return { secretKey: fields.secretKey };
    }
    const file = path.resolve(this.options.baseDir ?? process.cwd(), fields.secretKeyFile!);
    const where = `${prefix}secretKeyFile: ${file}`;
    let text: string;
    let mode: number;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) {
        this.problems.push(`${where}: is not a regular file`);
        return { secretKey: '' };
      }
      mode = stat.mode & 0o777;
      text = fs.readFileSync(file, 'utf8').trim();
    } catch (error) {
      this.problems.push(`${where}: ${describeFsError(error)}`);
      return { secretKey: '' };
    }
    if (!isKeyShape(text)) this.problems.push(`${where}: ${KEY_SHAPE_MESSAGE.replace('must be', 'must hold')}`);
    if (mode & 0o004) this.exposed(`${where}: is readable by every user (mode ${octal(mode)}); run: chmod 640 ${file} (group braidd when the service reads it)`);
    return { secretKey: text, secretKeyFile: file };
  }

  private exposed(message: string): void {
    if (this.role === 'server') this.problems.push(message);
    else (this.options.warn ?? defaultWarn)(`${this.sourceName}: ${message}`);
  }

  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.sourceName, this.problems);
  }
}
