// host:port parsing for listen and peer addresses, and the `--peers a=host:port,…` list.

import { LogError } from '../errors.js';

export function parseAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535 || host.length === 0) {
    throw new LogError('BAD_REQUEST', `bad address ${JSON.stringify(address)} (expected host:port)`);
  }
  return { host, port };
}

export function parsePeers(text: string): Map<string, string> {
  const peers = new Map<string, string>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const equals = part.indexOf('=');
    if (equals <= 0) throw new LogError('BAD_REQUEST', `bad peer ${JSON.stringify(part)} (expected id=host:port)`);
    const id = part.slice(0, equals);
    const address = part.slice(equals + 1);
    parseAddress(address);
    if (peers.has(id)) throw new LogError('BAD_REQUEST', `peer ${id} listed twice`);
    peers.set(id, address);
  }
  return peers;
}
