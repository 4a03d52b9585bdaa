import type { Model } from '../model.js';
import { counterModel } from './counter.js';
import { registerModel } from './register.js';
import { setModel } from './set.js';

// The models are heterogeneous in their state types; the registry erases them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModel = Model<any, any, any>;

export const models: Record<string, AnyModel> = {
  register: registerModel,
  counter: counterModel,
  set: setModel,
};

export { counterModel, registerModel, setModel };
