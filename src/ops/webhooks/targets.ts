// The private-address guard (api.md "Webhooks"): a target resolving to a loopback, private, link-local or otherwise
// internal address is refused unless CHARTER_WEBHOOKS_ALLOW_PRIVATE=true, so an endpoint cannot reach into the
// network Charter runs in. Checked when an endpoint is saved and again before each delivery (DNS can change).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  internal.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  internal.addSubnet(network, prefix, 'ipv6');

export const isInternalAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 0) return true;
  // An IPv4-mapped IPv6 address is the IPv4 address it maps.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return internal.check(mapped[1], 'ipv4');
  return internal.check(address, family === 6 ? 'ipv6' : 'ipv4');
};

/** Why a target may not be called, or undefined when it may. */
export const targetRefusal = async (url: string, allowPrivate: boolean): Promise<string | undefined> => {
  if (allowPrivate) return undefined;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host)
      ? [host]
      : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    return `${host} does not resolve`;
  }
  const blocked = addresses.find(isInternalAddress);
  return blocked ? `${host} resolves to ${blocked}, an internal address` : undefined;
};
