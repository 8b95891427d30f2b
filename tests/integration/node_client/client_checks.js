// The official Node client (npm faktory-worker 4.7.1) against the dev server,
// used the way its own test suite uses a real Faktory. Run by
// tests/integration/node_client_test.cpp:
//
//   node client_checks.js checks             push, at, a worker, INFO sizes,
//                                            MUTATE, quiet from the control port
//   node client_checks.js push-for-host FILE N
//                                            push N Record jobs (args [FILE, "node-<i>"])
//                                            and one Raise job for faktory-host; prints
//                                            {"raise": jid} on the last line
//
// FAKTORY_URL names the dev server, DEVSERVER_CONTROL its control port
// (http://127.0.0.1:PORT). Any answer the client does not expect throws, and
// the process exits 1 naming the step.
'use strict';
const assert = require('node:assert/strict');
const { Client, Worker } = require('faktory-worker');

const url = process.env.FAKTORY_URL;
const control = process.env.DEVSERVER_CONTROL;
let current = 'start';

function step(name) {
  console.log(`ok ${current}`);
  current = name;
}

// Polls a condition until it holds, bounded (never a fixed sleep).
async function eventually(what, check, limitMs = 15000) {
  const until = Date.now() + limitMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// The INFO fields the client and its test suite read.
async function sizes(client) {
  const info = await client.info();
  const tasks = info.faktory.tasks;
  return {
    retries: tasks.Retries.size,
    scheduled: tasks.Scheduled.size,
    dead: tasks.Dead.size,
    busy: tasks.Busy.size,
    workers: tasks.Workers.size,
    queues: info.faktory.queues,
    processed: info.faktory.total_processed,
    failures: info.faktory.total_failures,
  };
}

async function controlRequest(method, path) {
  const response = await fetch(`${control}${path}`, { method });
  return { status: response.status, body: await response.json() };
}

const inAnHour = () => new Date(Date.now() + 3600 * 1000);

async function checks() {
  const client = new Client({ url });
  await client.connect();
  assert.equal(await client.flush(), 'OK');

  current = 'INFO shape';
  const info = await client.info();
  // Clients treat any other description as Faktory Pro or Enterprise.
  assert.equal(info.server.description, 'Faktory');
  assert.equal(info.server.faktory_version, '1.7.0');
  assert.match(info.server_utc_time, /^\d\d:\d\d:\d\d UTC$/);
  assert.ok(!Number.isNaN(Date.parse(info.now)));
  const empty = await sizes(client);
  assert.deepEqual([empty.retries, empty.scheduled, empty.dead, empty.busy], [0, 0, 0, 0]);

  step('push and push with at');
  const pushed = await client.job('NodeAck', 1, 'two').push();
  assert.equal(typeof pushed, 'string');
  const later = client.job('NodeLater', 'at');
  later.at = inAnHour();
  await later.push();
  let now = await sizes(client);
  assert.equal(now.queues.default, 1);
  assert.equal(now.scheduled, 1);
  const fetched = await client.fetch('default');
  assert.equal(fetched.jid, pushed);
  assert.deepEqual(fetched.args, [1, 'two']);
  assert.equal((await sizes(client)).busy, 1);
  await client.ack(fetched.jid);
  assert.equal((await sizes(client)).busy, 0);

  step('worker ACKs one jobtype and FAILs another');
  const before = await sizes(client);
  const ran = [];
  const worker = new Worker({
    url,
    concurrency: 2,
    queues: ['node-work'],
    beatInterval: 1,
    timeout: 2,
    registry: {
      NodeAck: async (...args) => {
        ran.push(args);
      },
      NodeFail: async () => {
        throw new Error('node handler says no');
      },
    },
  });
  const workerErrors = [];
  worker.on('error', (error) => workerErrors.push(error));
  await worker.work();
  // The worker's HELLO (with its wid) makes one more worker process.
  assert.equal((await sizes(client)).workers, before.workers + 1);
  await client.push({ jobtype: 'NodeAck', args: ['a'], queue: 'node-work' });
  await client.push({ jobtype: 'NodeAck', args: ['b'], queue: 'node-work' });
  const failingJid = await client.push({ jobtype: 'NodeFail', args: [], queue: 'node-work' });
  await eventually('the worker to settle 3 jobs', async () => (await sizes(client)).processed === before.processed + 3);
  now = await sizes(client);
  assert.equal(now.failures, before.failures + 1);
  assert.equal(now.retries, before.retries + 1);
  assert.equal(now.busy, 0);
  assert.deepEqual(ran.map((args) => args[0]).sort(), ['a', 'b']);
  const stats = (await controlRequest('GET', '/stats')).body;
  const retry = stats.retries.find((job) => job.jid === failingJid);
  assert.ok(retry, 'the failed job is in the retry set');
  assert.equal(retry.failure.message, 'node handler says no');
  assert.equal(retry.failure.retry_count, 0);

  step("quiet from the control port reaches the worker's heartbeat");
  assert.equal(worker.quieted, false);
  const quiet = await controlRequest('POST', `/workers/${worker.wid}/quiet`);
  assert.equal(quiet.status, 200);
  await eventually('the quiet to arrive with a BEAT', () => worker.quieted === true, 10000);
  await worker.stop();
  await eventually('the stopped worker to be forgotten', async () => (await sizes(client)).workers === before.workers);
  assert.deepEqual(workerErrors.map((error) => error.message), []);

  step('MUTATE kill, requeue and clear on the retry set');
  await client.retries.clear();
  await client.dead.clear();
  const manual = [];
  for (let i = 0; i < 3; i += 1) {
    const jid = await client.push({ jobtype: 'Manual', args: [i], queue: 'manual' });
    const job = await client.fetch('manual');
    assert.equal(job.jid, jid);
    await client.fail(jid, new Error(`manual failure ${i}`));
    manual.push(jid);
  }
  now = await sizes(client);
  assert.deepEqual([now.retries, now.dead, now.queues.manual], [3, 0, 0]);
  await client.retries.withJids(manual[0]).kill();
  now = await sizes(client);
  assert.deepEqual([now.retries, now.dead], [2, 1]);
  await client.retries.withJids(manual[1]).requeue();
  now = await sizes(client);
  assert.deepEqual([now.retries, now.queues.manual], [1, 1]);
  await client.retries.clear();
  now = await sizes(client);
  assert.deepEqual([now.retries, now.dead, now.queues.manual], [0, 1, 1]);

  step('MUTATE kill, requeue and clear on the scheduled set');
  await client.scheduled.clear();
  const scheduled = [];
  for (const jobtype of ['LaterA', 'LaterB', 'LaterC']) {
    const job = client.job(jobtype);
    job.queue = 'later';
    job.at = inAnHour();
    scheduled.push(await job.push());
  }
  now = await sizes(client);
  assert.equal(now.scheduled, 3);
  await client.scheduled.withJids(scheduled[0]).kill();
  now = await sizes(client);
  assert.deepEqual([now.scheduled, now.dead], [2, 2]);
  await client.scheduled.ofType('LaterB').requeue();
  now = await sizes(client);
  assert.deepEqual([now.scheduled, now.queues.later], [1, 1]);
  await client.scheduled.clear();
  assert.equal((await sizes(client)).scheduled, 0);
  await client.dead.clear();
  assert.equal((await sizes(client)).dead, 0);

  step('FLUSH keeps the queues it has seen, each empty');
  await client.flush();
  now = await sizes(client);
  for (const queue of ['default', 'node-work', 'manual', 'later']) assert.equal(now.queues[queue], 0, queue);
  await client.close();
  step('done');
}

async function pushForHost(traceFile, count) {
  const client = new Client({ url });
  await client.connect();
  const jobs = [];
  for (let i = 0; i < count; i += 1) {
    const job = client.job('Record', traceFile, `node-${i}`);
    jobs.push(job);
  }
  current = 'PUSHB of the Record jobs';
  const rejected = await client.pushBulk(jobs);
  assert.deepEqual(rejected, {});
  current = 'PUSH of the Raise job';
  const raise = await client.job('Raise').push();
  await client.close();
  console.log(JSON.stringify({ raise }));
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  assert.ok(url, 'FAKTORY_URL is not set');
  if (mode === 'checks') {
    assert.ok(control, 'DEVSERVER_CONTROL is not set');
    await checks();
  } else if (mode === 'push-for-host') {
    await pushForHost(rest[0], Number(rest[1]));
  } else {
    throw new Error(`unknown mode "${mode}" (checks | push-for-host FILE N)`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`FAILED at step "${current}": ${error.stack || error}`);
    process.exit(1);
  },
);
