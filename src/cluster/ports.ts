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
