// The Iris models of the reference implementation (numeric-optics-python,
// experiments/iris.py), plus a softmax model trained with Adam. Shared by
// examples/iris.ts and the test suite, so both train exactly the same thing.
import { type Learner, type Para, dense, mse, seq, sgd, softmaxCrossEntropy, adam, supervised, initialisers, losses } from "paralens";

export interface IrisSetup {
  name: string;
  describe: string;
  make(seed: number): Learner;
  epochs: number;
  batchSize: number;
}

// The reference draws linear weights from N(0, 0.01^2) and starts biases at 0.
const small = { init: initialisers.normal(0, 0.01) };

/** A dense 4 -> 3 sigmoid layer, MSE, gradient descent with learning rate 0.01, one example per step, 400 epochs. */
export const denseIris: IrisSetup = {
  name: "dense",
  describe: "dense 4 -> 3 sigmoid, MSE, gradient descent (as the reference)",
  make: (seed) => supervised(dense(4, 3, "sigmoid", small), { loss: mse, optimiser: sgd(), rate: losses.constantRate(0.01), seed }),
  epochs: 400,
  batchSize: 1,
};

/** Two dense sigmoid layers 4 -> 20 -> 3, otherwise as denseIris. */
export const hiddenIris: IrisSetup = {
  name: "hidden",
  describe: "dense 4 -> 20 -> 3 sigmoid, MSE, gradient descent (as the reference)",
  make: (seed) =>
    supervised(seq(dense(4, 20, "sigmoid", small), dense(20, 3, "sigmoid", small)) as Para<readonly [readonly [4]], readonly [readonly [3]]>, {
      loss: mse, optimiser: sgd(), rate: losses.constantRate(0.01), seed,
    }),
  epochs: 400,
  batchSize: 1,
};

/** 4 -> 16 relu -> 3 logits, softmax cross-entropy, Adam, mini-batches of 16. */
export const softmaxIris: IrisSetup = {
  name: "softmax",
  describe: "dense 4 -> 16 relu -> 3, softmax cross-entropy, Adam (lr 0.01), batches of 16",
  make: (seed) => supervised(seq(dense(4, 16, "relu"), dense(16, 3)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.01 }), rate: losses.constantRate(1), seed }),
  epochs: 150,
  batchSize: 16,
};

export const irisSetups: readonly IrisSetup[] = [denseIris, hiddenIris, softmaxIris];
