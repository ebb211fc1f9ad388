/**
 * `@residual/zoo/testing`: the closed-form weights and inputs of the oracle fixtures
 * (tools/common/formula.py computes the same values in PyTorch), for tests that compare a model with
 * PyTorch without committing weight files — the zoo's own, the CLI's, and a contributor's new
 * architecture (docs/contributing-architectures.md).
 *
 * @example
 * ```ts
 * import { loadFormulaWeights, formulaInput } from '@residual/zoo/testing';
 * loadFormulaWeights(model);
 * model.eval().forward(formulaInput([2, 3, 32, 32])); // the logits tools/zoo/gen_fixtures.py records
 * ```
 */
export { formulaUniform, formulaValues, formulaTensor, loadFormulaWeights, formulaInput } from './testing/formula';
