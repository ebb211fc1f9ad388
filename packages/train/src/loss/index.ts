export * from './cross-entropy';
export { topkHits } from './metrics';
