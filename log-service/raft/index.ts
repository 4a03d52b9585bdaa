// The pure Raft core of the log service: import from here.
export { RaftCore } from './raft-core.js';
export { RaftAssertionError } from './raft-assert.js';
export * from './types.js';
