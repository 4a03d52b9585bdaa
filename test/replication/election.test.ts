// Unit tests of the election/lease core (src/replication/election.ts): a pure state machine,
// so every test drives it with explicit times.
import { describe, expect, it } from 'vitest';
import { Election, assertElectionConfig, defaultElectionConfig, type ElectionAction, type ElectionConfig } from '../../src/replication/election.js';
import type { ShardRecord } from '../../src/replication/records.js';

// Fixed timings, not the defaults, so the explicit times below keep their meaning when the
// defaults are tuned: leaseMs 800, renewIntervalMs 200, campaignBackoffMs 900, clockDriftMax 0.1 (880 < 900).
const config = (nodeId = 'a', overrides: Partial<ElectionConfig> = {}): ElectionConfig =>
  ({ nodeId, leaseMs: 800, renewIntervalMs: 200, campaignBackoffMs: 900, clockDriftMax: 0.1, campaignJitterMs: 0, ...overrides });
const types = (actions: ElectionAction[]): string[] => actions.map((action) => action.type);
const lease = (nodeId: string, epoch: number): ShardRecord => ({ t: 'lease', nodeId, epoch, leaseMs: 800 });
const leader = (nodeId: string, epoch: number): ShardRecord => ({ t: 'leader', nodeId, addr: `${nodeId}:6379`, epoch });

/** A node that campaigned at `at` and won at once: serving until at + leaseMs. */
function primaryAt(at: number): Election {
  const election = new Election(config(), at - 900);
  expect(election.tick(at)).toEqual([{ type: 'campaign', epoch: 1 }]);
  expect(types(election.campaignWon(1, at, at + 5))).toEqual(['won', 'startServing']);
  return election;
}

describe('assertElectionConfig', () => {
  it('refuses a backoff that does not strictly exceed the lease stretched by the drift bound', () => {
    expect(() => assertElectionConfig(config('a', { campaignBackoffMs: 880 }))).toThrow(/must exceed the lease stretched by clock drift/);
    expect(() => assertElectionConfig(config('a', { campaignBackoffMs: 800 }))).toThrow(/campaign backoff/);
    expect(() => assertElectionConfig(config('a', { campaignBackoffMs: 881 }))).not.toThrow();
    expect(() => assertElectionConfig(config('a', { clockDriftMax: 0.25, campaignBackoffMs: 1000 }))).toThrow(/1000 ms.*1000 ms/);
    expect(() => assertElectionConfig(config('a', { clockDriftMax: 0.25, campaignBackoffMs: 1001 }))).not.toThrow();
  });

  it('refuses a renew interval above half the lease, non-positive timings and a drift bound outside [0, 1)', () => {
    expect(() => assertElectionConfig(config('a', { renewIntervalMs: 401 }))).toThrow(/renew interval/);
    expect(() => assertElectionConfig(config('a', { renewIntervalMs: 400 }))).not.toThrow();
    expect(() => assertElectionConfig(config('a', { leaseMs: 0 }))).toThrow(/leaseMs must be positive/);
    expect(() => assertElectionConfig(config('a', { campaignBackoffMs: Number.NaN }))).toThrow(/campaignBackoffMs/);
    expect(() => assertElectionConfig(config('a', { clockDriftMax: 1 }))).toThrow(/drift/);
    expect(() => assertElectionConfig(config('a', { clockDriftMax: -0.1 }))).toThrow(/drift/);
  });

  it('accepts the defaults', () => {
    expect(() => assertElectionConfig(defaultElectionConfig('a'))).not.toThrow();
  });

  it('is checked when an election is created', () => {
    expect(() => new Election(config('a', { campaignBackoffMs: 850 }), 0)).toThrow(/campaign backoff/);
  });
});

describe('a follower', () => {
  it('campaigns only once the backoff has passed since it started', () => {
    const election = new Election(config(), 1000);
    expect(election.tick(1899)).toEqual([]);
    expect(election.tick(1900)).toEqual([{ type: 'campaign', epoch: 1 }]);
    expect(election.role).toBe('candidate');
    expect(election.tick(5000)).toEqual([]); // one campaign at a time
  });

  it('restarts the backoff at every control record of another node it applies', () => {
    const election = new Election(config(), 0);
    election.observe(leader('b', 3), 500);
    election.observe(lease('b', 3), 700);
    expect(election.epoch).toBe(3);
    expect(election.leaderId).toBe('b');
    expect(election.tick(1599)).toEqual([]);
    expect(election.tick(1600)).toEqual([{ type: 'campaign', epoch: 4 }]);
  });

  it('restarts the backoff at every data entry it applies (noteActivity)', () => {
    const election = new Election(config(), 0);
    election.observe(lease('b', 1), 100);
    election.noteActivity(800);
    expect(election.tick(1000)).toEqual([]);
    expect(election.tick(1699)).toEqual([]);
    expect(election.tick(1700)).toEqual([{ type: 'campaign', epoch: 2 }]);
  });

  it('adds the jitter the driver draws to the backoff', () => {
    const election = new Election(config(), 0, 30);
    expect(election.tick(929)).toEqual([]);
    election.observe(lease('b', 1), 100, 70);
    expect(election.tick(1069)).toEqual([]);
    expect(election.tick(1070)).toEqual([{ type: 'campaign', epoch: 2 }]);
  });

  it('does not restart the backoff for its own records, and ignores data and snapshot records in observe', () => {
    const election = new Election(config(), 0);
    election.observe(lease('a', 1), 800);
    election.observe({ t: 'snapshot', lsn: 5, location: 'x', checksum: 'y' }, 800);
    expect(election.tick(900)).toEqual([{ type: 'campaign', epoch: 2 }]);
  });

  it('keeps following when its campaign loses, and campaigns again a full backoff later', () => {
    const election = new Election(config(), 0);
    election.tick(900);
    expect(election.campaignLost(950)).toEqual([]);
    expect(election.role).toBe('follower');
    expect(election.tick(1849)).toEqual([]);
    expect(election.tick(1850)).toEqual([{ type: 'campaign', epoch: 1 }]);
  });

  it('waits a full backoff again when its campaign is abandoned', () => {
    const election = new Election(config(), 0);
    election.tick(900);
    election.campaignAbandoned(920);
    expect(election.role).toBe('follower');
    expect(election.tick(1819)).toEqual([]);
    expect(election.tick(1820)).toEqual([{ type: 'campaign', epoch: 1 }]);
  });

  it('does not campaign while unsettled', () => {
    const election = new Election(config(), 0);
    election.setSettled(false);
    expect(election.tick(5000)).toEqual([]);
    election.setSettled(true);
    expect(election.tick(5001)).toEqual([{ type: 'campaign', epoch: 1 }]);
  });
});

describe('a handoff', () => {
  it('lets its target campaign at the next tick, while the others wait a full backoff', () => {
    const target = new Election(config('c'), 0);
    const other = new Election(config('d'), 0);
    for (const election of [target, other]) {
      election.observe(leader('b', 2), 100);
      election.observe({ t: 'handoff', nodeId: 'b', epoch: 2, to: 'c' }, 300);
    }
    expect(target.tick(301)).toEqual([{ type: 'campaign', epoch: 3 }]);
    expect(other.tick(301)).toEqual([]);
    expect(other.tick(1199)).toEqual([]);
    expect(other.tick(1200)).toEqual([{ type: 'campaign', epoch: 3 }]);
  });

  it('is not delayed by data entries applied after it, but is cancelled by a later lease of the old primary', () => {
    const target = new Election(config('c'), 0);
    target.observe({ t: 'handoff', nodeId: 'b', epoch: 0, to: 'c' }, 300);
    target.noteActivity(310);
    expect(target.tick(320)).toEqual([{ type: 'campaign', epoch: 1 }]);

    const cancelled = new Election(config('c'), 0);
    cancelled.observe({ t: 'handoff', nodeId: 'b', epoch: 0, to: 'c' }, 300);
    cancelled.observe(lease('b', 0), 310);
    expect(cancelled.tick(320)).toEqual([]);
    expect(cancelled.tick(1210)).toEqual([{ type: 'campaign', epoch: 1 }]);
  });

  it('is consumed by the target\'s own Leader record: replayed after a restart, it does not let the target campaign early', () => {
    const restarted = new Election(config('c'), 1000);
    restarted.observe(leader('b', 2), 1000);
    restarted.observe({ t: 'handoff', nodeId: 'b', epoch: 2, to: 'c' }, 1000);
    restarted.observe(leader('c', 3), 1000);
    restarted.observe(lease('c', 3), 1000);
    expect(restarted.tick(1001)).toEqual([]);
    expect(restarted.tick(1899)).toEqual([]);
    expect(restarted.tick(1900)).toEqual([{ type: 'campaign', epoch: 4 }]);
  });

  it('from a stale epoch does not let its target campaign early', () => {
    const target = new Election(config('c'), 0);
    target.observe(leader('b', 5), 100);
    target.observe({ t: 'handoff', nodeId: 'x', epoch: 4, to: 'c' }, 300);
    expect(target.tick(301)).toEqual([]);
  });

  it('(handOff) stops the primary serving at once', () => {
    const election = primaryAt(1000);
    expect(election.handOff()).toEqual([{ type: 'stopServing' }]);
    expect(election.isServing).toBe(false);
    expect(election.role).toBe('follower');
    expect(election.leaseValidUntilMs).toBe(0);
  });
});

describe('a primary', () => {
  it('serves from its win until leaseMs after it sent the campaign, on its own clock', () => {
    const election = primaryAt(1000);
    expect(election.isServing).toBe(true);
    expect(election.leaseValidUntilMs).toBe(1800);
    expect(election.leaderId).toBe('a');
    expect(election.epoch).toBe(1);
  });

  it('does not serve when the campaign committed after its lease would already have ended', () => {
    const election = new Election(config(), 0);
    election.tick(900);
    expect(types(election.campaignWon(1, 900, 1700))).toEqual(['won']);
    expect(election.isServing).toBe(false);
  });

  it('renews every renewIntervalMs, at most three renewals in flight', () => {
    const election = primaryAt(1000);
    expect(election.tick(1100)).toEqual([]);
    expect(election.tick(1200)).toEqual([{ type: 'renew', epoch: 1 }]);
    expect(election.tick(1300)).toEqual([]);
    expect(election.tick(1400)).toEqual([{ type: 'renew', epoch: 1 }]);
    expect(election.tick(1600)).toEqual([{ type: 'renew', epoch: 1 }]);
    expect(types(election.tick(1800))).toEqual(['stopServing']); // three unanswered: no fourth, and the lease is over
    expect(types(election.renewed(1200, 1810))).toEqual(['startServing']);
    expect(election.leaseValidUntilMs).toBe(2000);
  });

  it('extends its lease with any committed append of its own (leaseProof), never shortens it', () => {
    const election = primaryAt(1000);
    expect(election.leaseProof(1300, 1350)).toEqual([]);
    expect(election.leaseValidUntilMs).toBe(2100);
    election.leaseProof(1100, 1400);
    expect(election.leaseValidUntilMs).toBe(2100);
    expect(types(election.tick(2100))).toContain('stopServing');
    expect(types(election.leaseProof(1500, 2200))).toEqual(['startServing']);
    expect(election.leaseValidUntilMs).toBe(2300);
    expect(election.leaseProof(1400, 2350)).toEqual([]);
  });

  it('ignores lease proofs once it is no longer the leader', () => {
    const election = new Election(config(), 0);
    expect(election.leaseProof(10, 20)).toEqual([]);
    expect(election.leaseValidUntilMs).toBe(0);
  });

  it('stops serving when its lease lapses and campaigns again only once settled, with no renewal in flight', () => {
    const election = primaryAt(1000); // lease to 1800
    expect(election.tick(1700)).toEqual([{ type: 'renew', epoch: 1 }]);
    expect(election.renewFailed(false)).toEqual([]); // outcome unknown: the lease simply runs out
    election.setSettled(false);
    expect(types(election.tick(1850))).toEqual(['stopServing']);
    expect(election.isServing).toBe(false);
    expect(election.tick(1860)).toEqual([]); // unsettled: no campaign
    election.setSettled(true);
    expect(election.tick(1870)).toEqual([{ type: 'campaign', epoch: 2 }]);
    expect(types(election.campaignWon(2, 1870, 1880))).toEqual(['won', 'startServing']);
    expect(election.epoch).toBe(2);
  });

  it('does not campaign again while a renewal is in flight', () => {
    const election = primaryAt(1000);
    expect(election.tick(1700)).toEqual([{ type: 'renew', epoch: 1 }]);
    expect(types(election.tick(1850))).toEqual(['stopServing']);
    expect(election.tick(1860)).toEqual([]);
    expect(election.role).toBe('leader');
  });

  it('steps down when an append is refused (fenced)', () => {
    const election = primaryAt(1000);
    expect(types(election.renewFailed(true))).toEqual(['stopServing', 'stepDown']);
    expect(election.role).toBe('follower');
    expect(election.isServing).toBe(false);
  });

  it('steps down when its new campaign loses, or when it applies a newer Leader of another node', () => {
    const recampaigning = primaryAt(1000);
    recampaigning.tick(1700);
    recampaigning.renewFailed(false);
    expect(recampaigning.tick(1850)).toEqual([{ type: 'stopServing' }, { type: 'campaign', epoch: 2 }]);
    expect(recampaigning.campaignLost(1900)).toEqual([{ type: 'stepDown' }]);
    expect(recampaigning.role).toBe('follower');

    const overtaken = primaryAt(1000);
    expect(types(overtaken.observe(leader('b', 2), 1100))).toEqual(['stopServing', 'stepDown']);
    expect(overtaken.role).toBe('follower');
    expect(overtaken.leaderId).toBe('b');
  });
});

// The driver can learn a campaign's outcome late: the log client retries an append for up to
// appendTimeoutMs (15 s by default), far longer than the backoff, and meanwhile the node keeps
// applying the log. The simulation finds both sequences below (variant
// 'stale-campaign-outcome', e.g. seed 8): campaignWon asserts role === 'candidate', so the
// process crashes (or, for a late loss, a fresh primary steps down). Proposed fix in
// src/replication/election.ts: remember the epoch of the pending campaign; campaignLost(nowMs,
// jitterMs, epoch) and campaignWon for any other epoch, or when no longer a candidate, change
// nothing and return [] (the driver passes the campaign's epoch).
describe('late campaign outcomes (failing until election.ts is fixed)', () => {
  it('a win learned after a newer Leader record was applied changes nothing', () => {
    const election = new Election(config('c'), 0);
    expect(election.tick(900)).toEqual([{ type: 'campaign', epoch: 1 }]); // Leader{c,1} commits at LSN n
    election.observe(leader('c', 1), 950); // c applies its own Leader record…
    election.observe(leader('b', 2), 990); // …then b's, which won the next LSN
    expect(election.role).toBe('follower');
    let actions: ElectionAction[] = [];
    expect(() => { actions = election.campaignWon(1, 900, 1000); }).not.toThrow();
    expect(actions).toEqual([]);
    expect(election.isServing).toBe(false);
    expect(election.leaderId).toBe('b');
  });

  it('the loss of an older campaign, learned after a newer one started, does not cancel the newer one', () => {
    type CampaignLostWithEpoch = (nowMs: number, jitterMs: number, epoch: number) => ElectionAction[];
    const election = new Election(config('a'), 0);
    expect(election.tick(900)).toEqual([{ type: 'campaign', epoch: 1 }]); // its reply is lost; the client retries
    election.observe(leader('b', 1), 1000); // b won epoch 1: back to following
    election.observe(lease('b', 1), 1100);
    expect(election.tick(2000)).toEqual([{ type: 'campaign', epoch: 2 }]);
    // The first campaign finally fails (appendTimeoutMs), while the second is in flight.
    (election.campaignLost as unknown as CampaignLostWithEpoch).call(election, 2100, 0, 1);
    let actions: ElectionAction[] = [];
    expect(() => { actions = election.campaignWon(2, 2000, 2150); }).not.toThrow();
    expect(types(actions)).toEqual(['won', 'startServing']);
  });
});
