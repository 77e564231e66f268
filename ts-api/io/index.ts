/**
 * paralens/io: models and learners as files, and across to other libraries:
 * safetensors (read and written here, checked as untrusted input), PyTorch
 * state dicts (`fromTorch`, `toTorch`) and ONNX (`toOnnx` writes a graph,
 * `fromOnnx` reads one as a trainable lens). The one list of its public names.
 *
 * Its own entry point, not the root's: a program that never touches a file
 * carries none of it. (A learner's own save() and load() bring in what they
 * need when first called.)
 *
 * @module paralens/io
 */
export { encodeSafetensors, decodeSafetensors, type TensorData, type DecodedTensor, type EncodeOptions } from "./safetensors/codec.ts";
export { readSafetensorsHeader, MAX_HEADER_BYTES, type ReadOptions, type SafetensorsDtype, type SafetensorsEntry, type SafetensorsHeader } from "./safetensors/header.ts";
export { floatToHalf, halfToFloat } from "./safetensors/dtypes.ts";
export { fromTorch, toTorch, type TorchTensors, type TorchNames } from "./torch.ts";
export { toOnnx, type OnnxOptions, type WithParameters } from "../backend/onnx/export.ts";
export { fromOnnx, onnxParameters, onnxImports, type FromOnnxOptions } from "./onnx/import/from-onnx.ts";
