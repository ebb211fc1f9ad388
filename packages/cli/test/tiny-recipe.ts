/**
 * A recipe small enough for process-level tests (crashes, sweeps): ResNet-20 on 8×8 random stand-in
 * images (the `fake` dataset), batch 8, plain SGD. Tests override what they are about.
 */
export function tinyRecipe(name: string, description: string, iterations: number): { [field: string]: unknown; data: Record<string, unknown>; optimizer: Record<string, unknown> } {
  return {
    name,
    description,
    seed: 0,
    model: { name: 'resnet20', options: { numClasses: 10 } },
    data: {
      dataset: 'fake',
      validation: 'test',
      train: [{ name: 'Resize', size: 8 }, { name: 'RandomHorizontalFlip' }, { name: 'ToTensor' }],
      test: [{ name: 'Resize', size: 8 }, { name: 'ToTensor' }],
    },
    batchSize: 8,
    optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0.0001 },
    scheduler: { name: 'MultiStepLR', milestones: [1], gamma: 0.1, interval: 'epoch' },
    stop: { iterations },
  };
}
