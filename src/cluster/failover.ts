// Planned failover from the outside: finds the serving primary, sends it `FAILOVER [TO host
// port] [TIMEOUT ms]` (the db nodes hand over through the log), and waits until another node
// serves as primary. Code FAILOVER_REFUSED / NO_PRIMARY / FAILOVER_TIMEOUT on failure.
import { Discovery, type DiscoveryTarget } from './discovery.js';
import { callOnce, RespErrorReply } from './resp-client.js';
import { splitAddr } from './layout.js';
import type { DbNodeReport } from './topology.js';

export class FailoverError extends Error {
  constructor(readonly code: 'NO_PRIMARY' | 'UNKNOWN_NODE' | 'FAILOVER_REFUSED' | 'FAILOVER_TIMEOUT', message: string) {
    super(message);
  }
}

export interface FailoverResult {
  from: DbNodeReport;
  to: DbNodeReport;
  elapsedMs: number;
}

/** Finds the node an operator named: layout id, the node's own id, or host:port. */
export function findNode(reports: DbNodeReport[], name: string): DbNodeReport | undefined {
  return reports.find((report) => report.id === name || report.nodeId === name || report.addr === name);
}

export async function failover(targets: DiscoveryTarget[], to: string | null, timeoutMs: number, pollMs: number): Promise<FailoverResult> {
  const discovery = new Discovery({ nodes: targets, pollMs, requestTimeoutMs: Math.max(pollMs, 1000) });
  try {
    await discovery.pollOnce();
    const before = discovery.topology!;
    const from = before.primary;
    if (!from) throw new FailoverError('NO_PRIMARY', `no db node serves as primary (asked ${targets.map((target) => target.addr).join(', ')})`);
    let target: DbNodeReport | null = null;
    if (to !== null) {
      target = findNode(before.nodes, to) ?? null;
      if (!target) throw new FailoverError('UNKNOWN_NODE', `no db node '${to}' (known: ${before.nodes.map((node) => `${node.id} ${node.addr}`).join(', ')})`);
      if (target.addr === from.addr) throw new FailoverError('FAILOVER_REFUSED', `${to} is already the primary`);
    }
    const { host, port } = splitAddr(from.addr);
    const command = ['FAILOVER'];
    if (target) {
      const addr = splitAddr(target.addr);
      command.push('TO', addr.host, String(addr.port));
    }
    command.push('TIMEOUT', String(timeoutMs));
    const startedAt = Date.now();
    const reply = await callOnce(host, port, timeoutMs + 1000, ...command);
    if (reply instanceof RespErrorReply) throw new FailoverError('FAILOVER_REFUSED', `${from.id} (${from.addr}) refused ${command.join(' ')}: ${reply.message}`);
    discovery.start();
    const after = await discovery.waitFor((topology) => topology.primary !== null && topology.primary.addr !== from.addr && (!target || topology.primary.addr === target.addr), Math.max(0, timeoutMs - (Date.now() - startedAt)));
    if (!after?.primary) throw new FailoverError('FAILOVER_TIMEOUT', `no other node served as primary within ${timeoutMs} ms after ${from.id} accepted FAILOVER`);
    return { from, to: after.primary, elapsedMs: Date.now() - startedAt };
  } finally {
    discovery.stop();
  }
}
