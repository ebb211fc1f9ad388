import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync } from 'node:fs';
import { CliError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors turned into usage errors that point at `--help`. */
export function parse<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = false,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  // `--epochs -1`: node's parseArgs reads "-1" as an option ("argument is ambiguous"); pass a value
  // that looks like a negative number to the option before it, so the option's own check can say
  // what is allowed.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity|inf)/i.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals, strict: true });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, '')} (see 'residual ${command} --help')`, 2);
  }
}

/** A required string option, or a usage error naming it. */
export function required(command: string, values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new CliError(`missing --${name} (see 'residual ${command} --help')`, 2);
  return v;
}

/** Parses a positive integer option. */
export function intOption(values: Record<string, unknown>, name: string, min = 1): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got '${String(v)}'`, 2);
  return n;
}

/** Throws a CliError naming `path` when it does not exist. */
export function mustExist(path: string, what: string): void {
  if (!existsSync(path)) throw new CliError(`${what} not found: ${path}`);
}
