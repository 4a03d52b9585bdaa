// Placeholder: this family's commands are declared here (see commands/spec.ts).
import type { CommandSpec } from './spec.js';

export const commands: CommandSpec[] = [];
