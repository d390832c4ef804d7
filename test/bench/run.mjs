// `npm run bench`: every benchmark, each printing its figures and its ratio to a baseline measured
// in the same run.
import { runLintBenchmarks } from './lint-bench.mjs';
import { runWebhookBenchmarks } from './webhook-bench.mjs';

console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
runLintBenchmarks();
await runWebhookBenchmarks();
