// Named re-exports only: the public surface of svirt.
export * from './types.js';
export * from './errors.js';
export * from './policy/model.js';
export * from './context/categories.js';
