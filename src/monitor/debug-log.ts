// Denials from a FlexLM debug log (monitor.md "Denials"): lmstat never shows them. Each poll reads the lines added
// since the last offset; a different file (device:inode) or one shorter than the offset was rotated, and is read
// from its start. The path is resolved again (links followed) at every read and must still lie inside
// CHARTER_MONITOR_LOG_DIR. Lines carry a time only: the date comes from the latest `TIMESTAMP M/D/YYYY` line.
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MonitorDenialsTable, MonitorServersTable } from '../db/schema.js';
import { newId } from '../lib/random.js';

/** At most this much of a log is read per poll; the rest waits for the next. */
const maxReadBytes = 8 * 1024 * 1024;

const denialLine =
  /^\s*(?<hour>\d{1,2}):(?<minute>\d{2}):(?<second>\d{2}) \((?<daemon>[^)]+)\) DENIED: "(?<feature>[^"]+)" (?<user>.+?)@(?<host>\S+)(?:\s+\((?<reason>.*)\))?\s*$/;
const timestampLine =
  /^\s*\d{1,2}:\d{2}:\d{2} \([^)]+\) TIMESTAMP (?<month>\d{1,2})\/(?<day>\d{1,2})\/(?<year>\d{4})\s*$/;

/** The log's real path when it lies inside `logDir` (links followed), else undefined. */
export const logInside = async (file: string, logDir: string): Promise<string | undefined> => {
  try {
    const [real, root] = await Promise.all([realpath(file), realpath(logDir)]);
    const relative = path.relative(root, real);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? real : undefined;
  } catch {
    return undefined;
  }
};

export interface DenialRead {
  rows: MonitorDenialsTable[];
  offset: number;
  identity: string;
}

export const readDenials = async (
  server: Pick<MonitorServersTable, 'id' | 'debug_log_path' | 'log_offset' | 'log_identity'>,
  logDir: string,
  nowMs: number,
): Promise<DenialRead | undefined> => {
  if (!server.debug_log_path) return undefined;
  const file = await logInside(server.debug_log_path, logDir);
  if (!file) throw new Error(`${server.debug_log_path} does not resolve inside CHARTER_MONITOR_LOG_DIR`);
  const info = await stat(file);
  const identity = `${info.dev}:${info.ino}`;
  const rotated = identity !== server.log_identity || info.size < server.log_offset;
  const from = rotated ? 0 : server.log_offset;
  const length = Math.min(info.size - from, maxReadBytes);
  if (length <= 0) return { rows: [], offset: from, identity };
  const handle = await open(file, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, from);
    // Only whole lines: a line being written stays for the next read.
    const end = buffer.lastIndexOf(0x0a) + 1;
    text = buffer.subarray(0, end).toString('utf8');
  } finally {
    await handle.close();
  }
  const today = new Date(nowMs);
  let date = { year: today.getUTCFullYear(), month: today.getUTCMonth() + 1, day: today.getUTCDate() };
  const rows: MonitorDenialsTable[] = [];
  let lastSeconds = -1;
  for (const line of text.split(/\r?\n/)) {
    const stamp = timestampLine.exec(line);
    if (stamp?.groups) {
      date = {
        year: Number(stamp.groups.year),
        month: Number(stamp.groups.month),
        day: Number(stamp.groups.day),
      };
      lastSeconds = -1;
      continue;
    }
    const denied = denialLine.exec(line);
    if (!denied?.groups) continue;
    // The clock going back by more than an hour between TIMESTAMP lines is midnight passing.
    const seconds =
      Number(denied.groups.hour) * 3600 + Number(denied.groups.minute) * 60 + Number(denied.groups.second);
    if (lastSeconds >= 0 && seconds < lastSeconds - 3600) {
      const next = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
      date = { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
    }
    lastSeconds = seconds;
    const at = Math.min(
      Date.UTC(
        date.year,
        date.month - 1,
        date.day,
        Number(denied.groups.hour),
        Number(denied.groups.minute),
        Number(denied.groups.second),
      ),
      nowMs,
    );
    rows.push({
      id: newId('den', at),
      server_id: server.id,
      feature: denied.groups.feature ?? '',
      user: denied.groups.user ?? '',
      host: denied.groups.host ?? '',
      reason: denied.groups.reason ?? null,
      at,
    });
  }
  return { rows, offset: from + Buffer.byteLength(text), identity };
};
