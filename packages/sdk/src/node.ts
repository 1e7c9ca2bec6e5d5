// Node-only helpers of @charter/sdk: the machine fingerprint, a file that keeps the last time seen, and a file that
// keeps the device key.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** Where verifyLicenseFile's `lastSeenAt` is kept between runs. */
export interface LastSeenFile {
  /** The stored time, to pass as `lastSeenAt`; undefined before the first write (no file). */
  read(): string | undefined;
  /** Keeps a valid result's `lastSeenAt`. */
  write(lastSeenAt: string): void;
}

/**
 * The last time seen, kept in a file at `filePath` (its folder must exist) for the clock-tamper check. A file
 * that is there but holds no date is passed on as it is, and fails the check (CLOCK_TAMPERED). Writes go to a
 * temporary file renamed over the old one, so a crash never leaves half a date.
 */
export const lastSeenFile = (filePath: string): LastSeenFile => ({
  read: () => {
    try {
      return readFileSync(filePath, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  write: (lastSeenAt) => {
    const temporary = `${filePath}.${process.pid}.tmp`;
    writeFileSync(temporary, `${lastSeenAt}\n`);
    renameSync(temporary, filePath);
  },
});

/**
 * The device key kept at `filePath` (an Ed25519 private key, PKCS#8 PEM, readable by this user only), made on
 * first use; give it to CharterClient as `deviceKey`. Its folder must exist. Two processes starting at once keep
 * the same key: the file is created exclusively, and the one that loses reads the winner's.
 */
export const deviceKeyFile = (filePath: string): string => {
  const read = () => readFileSync(filePath, 'utf8');
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    writeFileSync(filePath, pem, { mode: 0o600, flag: 'wx' });
    return pem;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw error;
  }
};
