// Reply shapes of the sorted-set commands. Scores are doubles: RESP3 `,1.5`, RESP2 a bulk
// string in Redis 7.2's shortest round-trip form (the encoder renders DoubleReply both ways).
// Member/score pairs are a flat array in RESP2 and an array of pairs in RESP3 (ZRANGE
// WITHSCORES, ZPOPMIN with a count, ZRANDMEMBER WITHSCORES, ZUNION WITHSCORES…).
import { DoubleReply, type Reply } from '../resp/reply.js';
import type { ExecContext } from './context.js';

export interface ScoredMember {
  readonly member: string;
  readonly score: number;
}

export function scoreReply(score: number): Reply {
  return new DoubleReply(score);
}

/** Members only, or members with scores (flat in RESP2, nested pairs in RESP3). */
export function scoredMembersReply(ctx: ExecContext, items: readonly ScoredMember[], withScores: boolean): Reply {
  if (!withScores) return items.map((item) => item.member);
  return pairsReply(items, ctx.client.protocol === 3);
}

export function pairsReply(items: readonly ScoredMember[], nested: boolean): Reply {
  const out: Reply[] = [];
  for (const item of items) {
    if (nested) out.push([item.member, new DoubleReply(item.score)]);
    else out.push(item.member, new DoubleReply(item.score));
  }
  return out;
}
