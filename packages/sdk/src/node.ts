// Node-only helpers of @charter/sdk.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const readFirst = (paths: string[]): string => {
  for (const path of paths) {
    try {
      const text = readFileSync(path, 'utf8').trim();
      if (text) return text;
    } catch {
      // not on this system
    }
  }
  return '';
};

/**
 * A stable identifier of this machine: SHA-256 (hex) over the OS's machine id (systemd's /etc/machine-id,
 * D-Bus's copy), the platform, the architecture, the CPU model and count, and the host name. Stable across
 * restarts and network changes (no MAC address, which VMs and docks change); the raw values never leave it.
 */
export const machineFingerprint = (extra = ''): string => {
  const cpus = os.cpus();
  const parts = [
    readFirst(['/etc/machine-id', '/var/lib/dbus/machine-id']),
    os.platform(),
    os.arch(),
    cpus[0]?.model ?? '',
    String(cpus.length),
    os.hostname(),
    extra,
  ];
  return createHash('sha256').update(parts.join('\n')).digest('hex');
};
