// Loads the validated, deep-frozen Config from the environment. The only module that reads env.
import { ConfigProblem } from './config-parsers';
import { configSchema, type ConfigEntry, type ConfigSchema } from './config-schema';
import { redactSecret, redactUrl } from './redact';

export { configSchema } from './config-schema';
export type { ConfigEntry, ConfigSchema } from './config-schema';

type ValueOf<E> = E extends ConfigEntry<infer T> ? T : never;

export type Config = {
  readonly [S in keyof ConfigSchema]: { readonly [K in keyof ConfigSchema[S]]: ValueOf<ConfigSchema[S][K]> };
};

export type Env = Readonly<Record<string, string | undefined>>;

/** Start-up configuration error: the message is one line naming the key and the problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`config: ${key} ${problem}`);
  }
}

interface SchemaRow {
  readonly section: string;
  readonly key: string;
  readonly entry: ConfigEntry<unknown>;
}

/** Every schema entry in declaration order (the order of the README table). */
export function configRows(): readonly SchemaRow[] {
  const rows: SchemaRow[] = [];
  for (const [section, entries] of Object.entries(configSchema)) {
    for (const [key, entry] of Object.entries(entries as Record<string, ConfigEntry<unknown>>)) {
      rows.push({ section, key, entry });
    }
  }
  return rows;
}

function shown(entry: ConfigEntry<unknown>, raw: string): string {
  if (entry.secrecy === 'secret') return redactSecret(raw);
  if (entry.secrecy === 'url-password') return redactUrl(raw);
  return raw;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Reads every key once, applies defaults, validates, and returns a deep-frozen Config.
 * An empty variable counts as unset (orchestrators often export KEY=""). Unknown variables are ignored.
 */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const { section, key, entry } of configRows()) {
    const given = env[entry.env];
    const raw = given === undefined || given === '' ? entry.default : given;
    let value: unknown;
    try {
      value = entry.parse(raw);
    } catch (err) {
      if (!(err instanceof ConfigProblem)) throw err;
      throw new ConfigError(entry.env, `${err.message} (got ${JSON.stringify(shown(entry, raw))})`);
    }
    (out[section] ??= {})[key] = value;
  }
  return deepFreeze(out as unknown as Config);
}

/** A copy of the config safe to log or print: secrets and URL passwords hidden. */
export function redactConfig(config: Config): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const sections = config as unknown as Record<string, Record<string, unknown>>;
  for (const { section, key, entry } of configRows()) {
    const v = sections[section]?.[key];
    (out[section] ??= {})[key] = typeof v === 'string' ? shown(entry, v) : v;
  }
  return out;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The README configuration table, as markdown. */
export function renderConfigTable(): string {
  const lines = ['| Variable | Default | Description |', '|---|---|---|'];
  for (const { entry } of configRows()) {
    const def = entry.default === '' ? '""' : `\`${shown(entry, entry.default)}\``;
    const secret = { none: '', secret: ' (secret, redacted in logs)', 'url-password': ' (password redacted in logs)' }[entry.secrecy];
    lines.push(`| \`${entry.env}\` | ${cell(def)} | ${cell(entry.doc + secret)} |`);
  }
  lines.push('', 'An empty variable counts as unset. Invalid values stop start-up with one line naming the variable.');
  return lines.join('\n') + '\n';
}
