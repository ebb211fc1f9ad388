export * from './checkpoint';
export { writeFileAtomic } from './atomic';
export { encodeSafetensors, decodeSafetensors, type RawTensor } from './safetensors';
