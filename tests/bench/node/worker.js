// The Node worker scripts/bench measures faktory-host against: the official
// client (npm faktory-worker), used the plain way its README shows.
//   Noop              does nothing (throughput, CPU per job, peak RSS);
//   Latency(pushedUs) records now - pushedUs, both CLOCK_MONOTONIC in
//                     microseconds (process.hrtime is CLOCK_MONOTONIC on
//                     Linux, the clock faktory-bench-latency-push stamps with).
// Environment: FAKTORY_URL, BENCH_CONCURRENCY, BENCH_QUEUE, and for latency
// BENCH_LATENCY_OUT (file) and BENCH_LATENCY_EXPECT (samples): once that many
// are in they are written there, one number of microseconds per line (to
// FILE.tmp, then renamed). Prints "ready" once the worker is fetching.
'use strict';
const fs = require('node:fs');
const { Worker } = require('faktory-worker');

const out = process.env.BENCH_LATENCY_OUT || '';
const expect = Number(process.env.BENCH_LATENCY_EXPECT || 0);
const samples = [];

function monotonicUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

function record(pushedUs) {
  samples.push(monotonicUs() - pushedUs);
  if (out && samples.length === expect) {
    fs.writeFileSync(`${out}.tmp`, samples.join('\n') + '\n');
    fs.renameSync(`${out}.tmp`, out);
  }
}

async function main() {
  const worker = new Worker({
    url: process.env.FAKTORY_URL,
    concurrency: Number(process.env.BENCH_CONCURRENCY || 20),
    queues: [process.env.BENCH_QUEUE || 'default'],
    registry: {
      Noop: async () => {},
      Latency: async (pushedUs) => record(pushedUs),
    },
  });
  await worker.work();
  console.log('ready');
}

main().catch((error) => {
  console.error(`bench node worker: ${error.stack || error}`);
  process.exit(1);
});
