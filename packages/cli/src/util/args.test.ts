import { intOption, parse } from './args';
import { CliError } from './errors';

describe('parse', () => {
  const options = { epochs: { type: 'string' }, resume: { type: 'boolean' } } as const;

  it('hands a negative number to its option, whose check then names what is allowed', () => {
    const { values } = parse('train', ['--epochs', '-1'], options);
    expect(values.epochs).toBe('-1');
    expect(() => intOption(values, 'epochs')).toThrow(/--epochs must be an integer ≥ 1, got '-1'/);
    expect(parse('train', ['--epochs', '-0.5'], options).values.epochs).toBe('-0.5');
  });

  it('still refuses unknown options as usage errors', () => {
    expect(() => parse('train', ['--epoch', '3'], options)).toThrow(CliError);
    expect(() => parse('train', ['--resume', '-1'], options)).toThrow(/see 'residual train --help'/);
  });

  it('refuses numbers that are not finite integers', () => {
    expect(() => intOption({ epochs: '1e999' }, 'epochs')).toThrow(/got '1e999'/);
    expect(() => intOption({ epochs: 'NaN' }, 'epochs')).toThrow(/got 'NaN'/);
  });
});
