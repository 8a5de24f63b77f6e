'use strict';
// node-async: a concbench peer strategy (strategies/PROTOCOL.md) written the
// way Node.js users write it: Promise.all over async tasks, the promise form
// of setTimeout (timers/promises) for the sleep workload, http.get through
// one keep-alive http.Agent for the HTTP one, and a small promise pool for
// max_in_flight.
const fs = require('fs');
const http = require('http');
const { setTimeout: sleep } = require('timers/promises');
const cb = require('./cbproto');

if (process.argv[2] === '--version') {
  console.log(`Node.js ${process.version}`);
  process.exit(0);
}

const spec = cb.readSpec();
const slots = new cb.Slots(spec.n);
const policy = [];
const limits = [];

// One task: stamp its start and finish around the work, in its own slot.
async function run(k) {
  slots.started[k] = cb.now();
  await work(k);
  slots.finished[k] = cb.now();
}

// Run every task at once, or at most w at a time: w workers, each taking
// the next index when its task is done.
async function runAll(n, w) {
  if (w <= 0 || w >= n) return Promise.all(Array.from({ length: n }, (_, k) => run(k)));
  let next = 0;
  const worker = async () => {
    while (next < n) await run(next++);
  };
  return Promise.all(Array.from({ length: w }, worker));
}

let work;
const inFlight = spec.maxInFlight > 0 ? Math.min(spec.maxInFlight, spec.n) : spec.n;
if (spec.kind === 'sleep') {
  // libuv counts timers in whole milliseconds from a clock it floors to the
  // millisecond, so setTimeout(D) fires up to 1 ms before D has passed on
  // CLOCK_MONOTONIC (about one timer in five here). One millisecond more
  // keeps every sleep at least D, as the harness checks, and says so.
  const ms = Math.ceil(spec.sleepMs) + 1;
  work = async (k) => {
    await sleep(ms);
    slots.value[k] = k;
  };
  policy.push(`Node.js ${process.version}, Promise.all over timers/promises setTimeout(D + 1 ms: ` +
    'libuv timers are whole ms from a floored clock)');
} else if (spec.kind === 'http') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  work = (k) => get(agent, k);
  policy.push(`Node.js ${process.version}, Promise.all over http.get, ` +
    `http.Agent keepAlive maxSockets=${inFlight}`);
} else {
  cb.skip(`unknown kind ${spec.kind}`);
}
if (spec.maxInFlight > 0) policy.push(`at most ${spec.maxInFlight} in flight: a promise pool`);
policy.push(`V8 heap limit ${Math.round(require('v8').getHeapStatistics().heap_size_limit / 1048576)} MiB (default)`);

// The error names of the protocol (cb_error_name()), from Node's codes.
function classify(err) {
  switch (err.code) {
    case 'EMFILE': case 'ENFILE': return 'emfile';
    case 'ECONNREFUSED': return 'refused';
    case 'ECONNRESET': case 'EPIPE': case 'ECONNABORTED': return 'reset';
    case 'ETIMEDOUT': return 'timeout';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'resolve';
    case 'EADDRNOTAVAIL': return 'eaddrnotavail';
    case 'ENOMEM': return 'nomem';
  }
  if (err.name === 'AbortError') return 'timeout'; // AbortSignal.timeout fired
  return 'other';
}

// RLIMIT_NOFILE as the kernel has it, for the limit line (Node has no
// getrlimit of its own). Read now: once descriptors run out, the file
// cannot be opened.
const noFileLimit = (() => {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return m ? m[1] : '?';
  } catch {
    return '?';
  }
})();

// One GET into slot k. Resolves (never rejects) once the slot is filled:
// the body hashed and counted as it streams in, judged by the harness.
function get(agent, k) {
  return new Promise((resolve) => {
    const h = cb.fnvInit();
    let bytes = 0;
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      slots.bytes[k] = bytes;
      slots.value[k] = cb.fnvHex(h);
      if (err) {
        slots.error[k] = classify(err);
        slots.detail[k] = `${err.code || err.name}: ${err.message}`;
        if (slots.error[k] === 'emfile' && limits.length === 0) {
          limits.push(`${err.message} (RLIMIT_NOFILE ${noFileLimit}, first at task ${k})`);
        }
      }
      resolve();
    };
    const req = http.get(spec.url, { agent, signal: AbortSignal.timeout(spec.timeoutMs) }, (res) => {
      slots.status[k] = res.statusCode;
      res.on('data', (chunk) => {
        bytes += chunk.length;
        cb.fnvUpdate(h, chunk);
      });
      res.on('end', () => {
        if (res.complete) finish(null);
        else finish(Object.assign(new Error('short body'), { code: 'ECONNRESET' }));
      });
      res.on('error', finish);
    });
    req.on('error', finish);
  });
}

cb.ready();
const t0 = cb.now();
runAll(spec.n, spec.maxInFlight).then(() => {
  const t1 = cb.now();
  cb.report(slots, t0, t1, policy, limits);
  // Keep-alive sockets and the timeout timers would hold the loop open.
  process.exit(0);
});
