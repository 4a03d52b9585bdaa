// Measurement (not a test): the counter workload's whole check on a synthetic history shaped
// like a 45 s counter run (172 keys × 500 operations, 5 overlapping processes per key, ~2 %
// crashed adds of which half took effect, reads from a linearizable counter, a final read per
// key). `NO_SYMMETRY=1` turns off the counter model's symmetry reduction for comparison.
//   npm run build && node jepsen-style/tools/counter-check-scale.mjs
import { counterWorkload } from '../../dist/jepsen-style/workloads/counter.js';
import { counterModel } from '../../dist/jepsen-style/checker/models/counter.js';
import { Prng } from '../../dist/jepsen-style/util/prng.js';

if (process.env.NO_SYMMETRY) delete counterModel.symmetryKey;
const random = new Prng(5);
const events = [];
let pid = 1000;
for (let k = 0; k < 172; k++) {
  const key = `k${k}`;
  // simulate: each op interval [t, t+len], effect at a random point inside; a sequential counter
  const ops = [];
  let t = k * 1e9;
  for (let i = 0; i < 500; i++) {
    const call = t + random.int(0, 5000); t += 1000;
    const ret = call + random.int(500, 8000);
    const at = call + random.int(0, ret - call);
    const isRead = random.next() < 0.25;
    const crashed = !isRead && random.next() < 0.02;
    ops.push({ isRead, delta: random.int(1, 2), call, ret, at, crashed, applied: crashed ? random.next() < 0.5 : true, p: pid++ });
  }
  const byAt = [...ops].sort((a, b) => a.at - b.at);
  let total = 0;
  for (const o of byAt) { if (o.isRead) o.value = total; else if (o.applied) total += o.delta; }
  const finalCall = t + 20000;
  ops.push({ isRead: true, call: finalCall, ret: finalCall + 10, value: total, p: pid++ });
  for (const o of ops) {
    events.push({ process: o.p, type: 'invoke', f: o.isRead ? 'read' : 'add', key, value: o.isRead ? null : o.delta, time: o.call });
    if (o.crashed) events.push({ process: o.p, type: 'info', f: 'add', key, value: o.delta, time: o.ret });
    else events.push({ process: o.p, type: 'ok', f: o.isRead ? 'read' : 'add', key, value: o.isRead ? o.value : o.delta, time: o.ret });
  }
}
events.sort((a, b) => a.time - b.time);
const started = performance.now();
const summary = counterWorkload.check(events);
console.log(events.length / 2, 'ops;', summary.verdict, `${((performance.now() - started) / 1000).toFixed(1)} s`);
for (const l of summary.lines.slice(0, 6)) console.log(l);
