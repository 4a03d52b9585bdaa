import { counterWorkload } from './counter.js';
import { listAppendWorkload } from './list-append.js';
import { registerWorkload } from './register.js';
import { setWorkload } from './set.js';
import type { Workload } from './workload.js';

export const workloads: Record<string, Workload> = {
  register: registerWorkload,
  counter: counterWorkload,
  set: setWorkload,
  'list-append': listAppendWorkload,
};
