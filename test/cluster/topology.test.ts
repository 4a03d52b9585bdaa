import { describe, expect, it } from 'vitest';
import { computeTopology, parseReplicationInfo, topologyEvents, unreachableReport } from '../../src/cluster/topology.js';

const primaryInfo = (epoch: number, state = 'serving') => [
  '# Replication', 'role:master', 'connected_slaves:1', 'slave0:ip=127.0.0.1,port=6380,state=online,offset=5,lag=0,node_id=db-2',
  'keel_node_id:db-1', 'keel_shard:0', `keel_state:${state}`, `keel_epoch:${epoch}`, 'keel_primary_node_id:db-1',
  'keel_applied_lsn:12', 'keel_committed_lsn:12', 'keel_lag_entries:0', '',
].join('\r\n');
const replicaInfo = (id: string, epoch: number) => [
  '# Replication', 'role:slave', 'master_host:127.0.0.1', 'master_port:6379', 'master_link_status:up',
  `keel_node_id:${id}`, 'keel_state:serving', `keel_epoch:${epoch}`, 'keel_applied_lsn:10', 'keel_lag_entries:2', 'keel_lease_remaining_ms:', '',
].join('\r\n');

describe('topology from INFO replication', () => {
  it('parses the fields a primary and a replica report', () => {
    const primary = parseReplicationInfo('db-1', '127.0.0.1:6379', primaryInfo(3));
    expect(primary).toMatchObject({ role: 'master', state: 'serving', epoch: 3, nodeId: 'db-1', appliedLsn: 12, lagEntries: 0, masterAddr: null, leaseRemainingMs: null });
    const replica = parseReplicationInfo('db-2', '127.0.0.1:6380', replicaInfo('db-2', 3));
    expect(replica).toMatchObject({ role: 'slave', masterAddr: '127.0.0.1:6379', appliedLsn: 10, lagEntries: 2, leaseRemainingMs: null });
  });

  it('the serving master with the highest epoch is the primary; a stale or loading one is not', () => {
    const old = parseReplicationInfo('db-1', 'h:1', primaryInfo(2));
    const fresh = { ...parseReplicationInfo('db-2', 'h:2', primaryInfo(5)), id: 'db-2' };
    expect(computeTopology([old, fresh]).primary?.id).toBe('db-2');
    const loading = parseReplicationInfo('db-1', 'h:1', primaryInfo(9, 'loading'));
    const replica = parseReplicationInfo('db-3', 'h:3', replicaInfo('db-3', 9));
    const topology = computeTopology([loading, replica, unreachableReport('db-4', 'h:4')]);
    expect(topology.primary).toBeNull();
    expect(topology.replicas.map((node) => node.id)).toEqual(['db-3']);
  });

  it('announces a switch from the last announced primary, and nodes going down and up', () => {
    const a = parseReplicationInfo('db-1', '127.0.0.1:6379', primaryInfo(1));
    const b = parseReplicationInfo('db-2', '127.0.0.1:6380', replicaInfo('db-2', 1));
    const first = computeTopology([a, b]);
    expect(topologyEvents(null, null, first)).toEqual([{ kind: 'switch-master', from: null, to: { host: '127.0.0.1', port: 6379 }, toId: 'db-1' }]);
    const down = computeTopology([unreachableReport('db-1', '127.0.0.1:6379'), b]);
    expect(topologyEvents(a, first, down)).toEqual([{ kind: 'sdown', addr: { host: '127.0.0.1', port: 6379 }, id: 'db-1' }]);
    const b2 = { ...parseReplicationInfo('db-2', '127.0.0.1:6380', primaryInfo(2)), id: 'db-2' };
    const after = computeTopology([unreachableReport('db-1', '127.0.0.1:6379'), b2]);
    expect(topologyEvents(a, down, after)).toEqual([{ kind: 'switch-master', from: { host: '127.0.0.1', port: 6379 }, to: { host: '127.0.0.1', port: 6380 }, toId: 'db-2' }]);
    expect(topologyEvents(b2, after, after)).toEqual([]);
  });
});
