// The MNIST models of the examples, in one place so the examples, the tests
// and the benchmarks build exactly the same networks. Portable: only the
// library is imported.
import { seq, conv2d, maxPool2d, flatten, dense, type Initialiser, type Para, type Wires, initialisers, layers } from "paralens";

/**
 * The demo CNN on [28, 28, 1] digits:
 * conv 3x3 1->8 same ; relu ; max-pool 2 ; conv 3x3 8->16 same ; relu ; max-pool 2 ; flatten ;
 * dense 784->64 relu ; dense 64->10 (logits: train it with softmax cross-entropy).
 */
export function demoCnn(): Para<Wires, Wires> {
  return seq(
    conv2d({ filters: 8, kernel: 3, padding: "same", init: initialisers.heUniform }),
    layers.relu,
    maxPool2d(2),
    conv2d({ filters: 16, kernel: 3, padding: "same", init: initialisers.heUniform }),
    layers.relu,
    maxPool2d(2),
    flatten,
    dense(7 * 7 * 16, 64, "relu", { init: initialisers.heUniform }),
    dense(64, 10),
  ).at([28, 28, 1]);
}

/** The reference's glorot_uniform: uniform on +-sqrt(6) / sqrt(product of the shape). */
export const referenceGlorot: Initialiser = (shape, rng) => {
  const b = Math.sqrt(6 / shape.reduce((a, c) => a * c, 1));
  return initialisers.uniform(-b, b)(shape, rng);
};

/**
 * The Python reference's CNN (numeric-optics-python, experiments/convolutional.py):
 * conv 3x3 1->3 ; relu ; max-pool 2 ; conv 4x4 3->5 ; relu ; max-pool 2 ; flatten ; dense 125->10 ; sigmoid,
 * with no bias on the convolutions and the reference's initialisers.
 */
export function referenceCnn(): Para<Wires, Wires> {
  return seq(
    conv2d({ filters: 3, kernel: 3, bias: false, init: referenceGlorot }),
    layers.relu,
    maxPool2d(2),
    conv2d({ filters: 5, kernel: 4, bias: false, init: referenceGlorot }),
    layers.relu,
    maxPool2d(2),
    flatten,
    dense(5 * 5 * 5, 10, "sigmoid", { init: initialisers.normal(0, 0.01) }),
  ).at([28, 28, 1]);
}

/** The MLP 784 -> 128 relu -> 10 (logits). */
export function mnistMlp(): Para<Wires, Wires> {
  return seq(dense(784, 128, "relu", { init: initialisers.heUniform }), dense(128, 10));
}
