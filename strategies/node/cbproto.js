'use strict';
// cbproto.js: the concbench external-strategy protocol (strategies/PROTOCOL.md,
// version 1) for Node.js, in one place: read the spec, say ready, wait for
// go, stamp times, write one line per task and the end line.
//
// Times: process.hrtime.bigint() reads CLOCK_MONOTONIC on Linux (libuv's
// uv_hrtime), the clock the harness reads.
const fs = require('fs');

const resultFd = Number(process.env.CB_RESULT_FD || 3);
const now = () => process.hrtime.bigint();

// Read one line from stdin, synchronously: the protocol is strictly turn by
// turn, and nothing else runs before "go". Returns null at EOF.
let pending = Buffer.alloc(0);
function readLine() {
  const buf = Buffer.alloc(4096);
  for (;;) {
    const nl = pending.indexOf(10);
    if (nl >= 0) {
      const line = pending.subarray(0, nl).toString();
      pending = pending.subarray(nl + 1);
      return line;
    }
    let got;
    try {
      got = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue; // a non-blocking stdin: try again
      if (e.code === 'EOF') got = 0;
      else throw e;
    }
    if (got === 0) return null;
    pending = Buffer.concat([pending, buf.subarray(0, got)]);
  }
}

function writeAll(text) {
  const b = Buffer.from(text);
  for (let off = 0; off < b.length;) off += fs.writeSync(resultFd, b, off);
}

// Read and parse the spec line. Exits on a malformed one.
function readSpec() {
  const line = readLine() || '';
  const f = line.trim().split(' ');
  if (f[0] !== 'concbench-spec' || f[1] !== '1') {
    process.stderr.write(`node-async: bad spec line ${JSON.stringify(line)}\n`);
    process.exit(2);
  }
  const kv = Object.fromEntries(f.slice(2).map((s) => {
    const i = s.indexOf('=');
    return [s.slice(0, i), s.slice(i + 1)];
  }));
  return {
    kind: kv.kind,
    n: Number(kv.n),
    maxInFlight: Number(kv.max_in_flight || 0),
    sleepMs: Number(kv.sleep_ns || 0) / 1e6,
    timeoutMs: Number(kv.timeout_ns || 0) / 1e6,
    url: kv.url,
  };
}

function skip(why) {
  writeAll(`skip ${why}\n`);
  process.exit(0);
}

// Say ready and wait for go; at EOF (or anything else) exit with status 0.
function ready() {
  writeAll('ready\n');
  if ((readLine() || '').trim() !== 'go') process.exit(0);
}

// One result slot per task, in flat typed arrays: a million small objects
// would weigh on the heap the tasks are measured by.
class Slots {
  constructor(n) {
    this.started = new BigInt64Array(n);
    this.finished = new BigInt64Array(n);
    this.status = new Int32Array(n);
    this.bytes = new Float64Array(n);
    this.value = new Array(n);   // a string: decimal index or 16 hex digits
    this.error = new Array(n);   // undefined: ok
    this.detail = new Array(n);
  }
}

const oneLine = (s) => String(s).split(/\s+/).filter(Boolean).join(' ');

// Write every slot, the policy and limit lines, and the end line.
function report(slots, t0, t1, policy, limits) {
  const n = slots.started.length;
  let started = 0;
  let chunk = [];
  for (let k = 0; k < n; k++) {
    if (slots.started[k] !== 0n) started++;
    let line = `task ${k} ${slots.started[k]} ${slots.finished[k]} ${slots.error[k] || 'ok'} ` +
      `${slots.status[k]} ${slots.bytes[k]} ${slots.value[k] === undefined ? 0 : slots.value[k]}`;
    if (slots.detail[k]) line += ` ${oneLine(slots.detail[k])}`;
    chunk.push(line);
    if (chunk.length === 8192) {
      writeAll(chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) writeAll(chunk.join('\n') + '\n');
  let tail = '';
  // The protocol keeps one policy line: the choices, joined.
  if (policy.length) tail += `policy ${oneLine(policy.join('; '))}\n`;
  for (const l of limits) tail += `limit ${oneLine(l)}\n`;
  writeAll(tail + `end ${t0} ${t1} ${started}\n`);
}

// FNV-1a 64 (strategies/body.h) over a Buffer, continued from state h =
// [hi, lo] (32-bit halves; start with fnvInit()). The prime is 2^40 + 0x1b3,
// so h * prime = (h << 40) + h * 0x1b3: every partial product stays below
// 2^53, exact in a double, without a BigInt per byte.
const fnvInit = () => [0xcbf29ce4, 0x84222325];
function fnvUpdate(h, buf) {
  let hi = h[0];
  let lo = h[1];
  for (let i = 0; i < buf.length; i++) {
    lo = (lo ^ buf[i]) >>> 0;
    const l = lo * 0x1b3;
    const carry = Math.floor(l / 4294967296);
    hi = (hi * 0x1b3 + carry + (lo & 0xffffff) * 256) % 4294967296;
    lo = l % 4294967296;
  }
  h[0] = hi;
  h[1] = lo;
}
const fnvHex = (h) => h[0].toString(16).padStart(8, '0') + h[1].toString(16).padStart(8, '0');

module.exports = { now, readSpec, skip, ready, Slots, report, fnvInit, fnvUpdate, fnvHex };
