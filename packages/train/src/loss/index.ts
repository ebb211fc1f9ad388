export * from './cross-entropy';
export { topkHits, LabelOutOfRangeError } from './metrics';
