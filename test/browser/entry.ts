// The browser side of the test run: imports the test modules named in the
// page's query string (each registers its tests with the harness), runs them
// in order, and reports through the console, which the runner reads.
import { registered } from "../harness.ts";

interface Done {
  passed: number;
  failed: number;
}

const files = new URLSearchParams(location.search).getAll("file");
let passed = 0;
let failed = 0;
try {
  for (const file of files) await import(`../${file}`);
  for (const { name, fn } of registered) {
    try {
      await fn();
      passed++;
      console.log(`ok - ${name}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${name}\n  ${(e as Error).stack ?? String(e)}`);
    }
  }
} catch (e) {
  failed++;
  console.log(`not ok - loading the test modules\n  ${(e as Error).stack ?? String(e)}`);
}
console.log(`browser: ${passed} passed, ${failed} failed`);
(globalThis as { __done?: Done }).__done = { passed, failed };
