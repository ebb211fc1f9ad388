export * from './optimizer';
export * from './sgd';
export * from './adam';
export { createOptimizer, OPTIMIZER_NAMES, type OptimizerSpec } from './create';
