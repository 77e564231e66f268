// as-pect: the AssemblyScript unit tests of the kernels, one spec per kernel
// file in assembly/__tests__ (compiler options: as-pect.asconfig.json).
export default {
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
