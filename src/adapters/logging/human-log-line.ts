const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino's own fields, shown in the line's head rather than as `key=value`. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/**
 * One pino JSON line as a person reads it on a terminal:
 * `2026-12-01T06:26:35.669Z INFO  multipassd is listening address=unix:/run/multipass_socket trusted=0`.
 * Values with spaces or quotes are JSON-quoted, so a line still splits unambiguously.
 */
export function humanLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '';
  const level = (LEVEL_NAMES[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  return `${[time, level, String(entry.msg ?? ''), ...fields].join(' ')}\n`;
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
