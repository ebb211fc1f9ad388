export * from './checkpoint';
export { writeFileAtomic, WriteFileError } from './atomic';
export type { RawTensor } from './raw';
// The safetensors codec checkpoints use is @residual/nn's; re-exported so existing imports keep working.
export { encodeSafetensors, decodeSafetensors, readSafetensorsHeader, SafetensorsError } from '@residual/nn';
