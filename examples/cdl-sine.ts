// An unfold (a coalgebra S -> O x S) generating sine waves of any phase: an
// encoder makes the first state from (cos phi, sin phi), the stream does the rest.
//   npm run example -- cdl-sine [--json]
import { init } from "paralens";
import { log, report } from "./cdl/cli.ts";
import { trainSine } from "./cdl/sine.ts";

await init();
console.log("unfold(o = dense(16, 1), n = dense(16, 16, tanh)).take(40) from dense(2, 16, tanh)(cos phi, sin phi): sin(phi + 2 pi t / 20)");
const m = trainSine({ log });
console.log(`  test mean squared error per step: ${m.mseTrainedSteps!.toExponential(2)} over the 40 trained steps, ${m.mseTwiceAsLong!.toExponential(2)} over 80`);
report("cdl-sine", m);
