/**
 * paralens/z2: Boolean and polynomial circuits over Z2 as a reverse derivative category
 * (Wilson and Zanasi; Cruttwell et al., "Deep Learning with Parametric Lenses"): the base category, its backends, circuits,
 * layers and learning by reverse derivative ascent. The one list of its public names.
 *
 * @module paralens/z2
 */
export type { Z2Ops } from "./ops.ts";
export { z2Reference, refBits, type RefBits } from "./reference.ts";
export { BitTensor } from "./bits.ts";
export { compileZ2, initBits, type Z2Plan, type Z2PlanStats, type Z2CompileOptions, type Z2PassStats } from "./compile.ts";
export {
  circuit, circuitLens, circuitPara, randomCircuit, CircuitBuilder, Gate, type Circuit, type GateOp, type RandomCircuitOptions,
} from "./circuit.ts";
export { xorGate, andGate, notGate, selectBits, splitBits, joinBits, paramGate, randomBits } from "./gates.ts";
export { lut } from "./lut.ts";
export { popcountThreshold, pseudoLinear, maskedMajority, type ThresholdCoefficients } from "./threshold.ts";
export { bruteForceReverse, exampleFunction, exampleReverse, truthTable } from "./oracle.ts";
export {
  polynomial, parsePolynomial, formatPolynomial, polynomialCircuit, type Polynomial, type Monomial, type PolynomialSystem,
} from "./polynomial.ts";
export { xorLoss, identityRate, rdaUpdate, rdaLens, anyBit } from "./learning.ts";
export { rda, RdaLearner, type BitRows, type RdaFitOptions, type RdaHistory } from "./learner.ts";
