// Checks, before anything starts, that the ports a layout needs are free: a clear refusal
// beats a child that dies at once and is restarted forever.
import net from 'node:net';

export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

export async function busyPorts(host: string, ports: number[]): Promise<number[]> {
  const free = await Promise.all(ports.map((port) => portFree(host, port)));
  return ports.filter((_, index) => !free[index]);
}

/** Linux's default ephemeral range starts here (net.ipv4.ip_local_port_range 32768–60999). */
const EPHEMERAL_PORT_MIN = 32_768;
const FIXED_PORT_MIN = 10_000;

/**
 * A base port with `count` consecutive free ports after it, for tests and the jepsen-style
 * harness, chosen below the ephemeral range: a port found free there can be taken by any
 * outgoing connection on the machine before a process binds it — or, worse, while a killed
 * process is down, so its restart fails with EADDRINUSE (seen under load).
 */
export async function freePortRange(host: string, count: number, attempts = 50): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = FIXED_PORT_MIN + Math.floor(Math.random() * (EPHEMERAL_PORT_MIN - FIXED_PORT_MIN - count));
    if ((await busyPorts(host, Array.from({ length: count }, (_, i) => base + i))).length === 0) return base;
  }
  throw new Error(`no ${count} consecutive free ports on ${host} below ${EPHEMERAL_PORT_MIN} after ${attempts} attempts`);
}
