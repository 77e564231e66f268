// The kernels of paralens/z2 (bit-sliced Boolean circuits, z2.ts), as a module
// of their own: it imports the memory of the core it runs beside, so it works
// on the same arena, and only a program that imports paralens/z2 loads it.
// It keeps no static data, so nothing of it lands in the core's memory.
export { z2Run, z2Fold, z2Count } from "./z2";
