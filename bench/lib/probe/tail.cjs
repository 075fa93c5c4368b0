/**
 * The probe's tail watch (preload.cjs): while on, what in this process can make a request slow,
 * each with its wall-clock time (ms since the epoch) so the bench can line it up with its slow
 * requests (bench/lib/tail.ts):
 * - the event loop's delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution) and utilization;
 * - stalls: a 10 ms timer that fired more than STALL_MS late, i.e. the loop was blocked (or the
 *   process had no CPU) for that long;
 * - every garbage collection pause (PerformanceObserver 'gc'), with its kind;
 * - every wait of more than WAIT_MS for a connection from a `pg` pool, and whether every connection
 *   was busy when it was asked for (otherwise the wait is the loop being late, not the pool);
 * - every Redis command's round trip (ioredis), e.g. the rate limiter's lease a request may wait for;
 * - every SQL statement's round trip through `pg` (the client's own queue included), by name or text;
 * - every HTTP request this process served: when it arrived and how long it took to answer;
 * - the old generation's size every HEAP_MS (what survives young collections and fills toward a
 *   mark-compact).
 * Off, it costs nothing but the pool's `connect` wrapper's one comparison.
 */
'use strict';

const http = require('node:http');
const v8 = require('node:v8');
const { constants, monitorEventLoopDelay, performance, PerformanceObserver } = require('node:perf_hooks');
const pg = require('pg');

const TICK_MS = 10;
const HEAP_MS = 250;
const STALL_MS = 5;
const WAIT_MS = 1;
// A gc entry's detail.kind is one of these (Node 20: minor 1, major 4, incremental 8, weak callbacks 16).
const GC_KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

let watch = null;
const epoch = (at) => performance.timeOrigin + at;

const originalConnect = pg.Pool.prototype.connect;
pg.Pool.prototype.connect = function probedConnect(callback) {
  if (!watch) return originalConnect.call(this, callback);
  const asked = performance.now();
  // Every connection busy when asked: a real queue for the pool, not the loop being late.
  const full = this.idleCount === 0 && this.totalCount >= this.options.max ? 1 : 0;
  const note = () => {
    const waited = performance.now() - asked;
    if (!watch) return;
    watch.poolConnects++;
    watch.poolFull += full;
    watch.poolWaitTotal += waited;
    if (waited > WAIT_MS) watch.poolWaits.push([round(epoch(asked)), round(waited), full]);
  };
  if (typeof callback === 'function') {
    return originalConnect.call(this, (error, client, release) => {
      note();
      callback(error, client, release);
    });
  }
  return originalConnect.call(this).then((client) => {
    note();
    return client;
  });
};

const originalEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function probedEmit(event, request, response) {
  if (watch && event === 'request') {
    const served = watch.served;
    const arrived = performance.now();
    response.once('finish', () => served.push([round(epoch(arrived)), round(performance.now() - arrived)]));
  }
  return originalEmit.apply(this, arguments);
};

/** Called by preload.cjs for every ioredis command: its round trip, while watching. */
function noteRedis(name, command) {
  if (!watch || !command || !command.promise) return;
  const redis = watch.redis;
  const sent = performance.now();
  const done = () => redis.push([round(epoch(sent)), round(performance.now() - sent), name]);
  command.promise.then(done, done);
}

/** Called by preload.cjs for every pg statement while watching: returns what to call when it is answered. */
function noteQuery(config) {
  const queries = watch.queries;
  const sent = performance.now();
  const name = config && typeof config === 'object' && config.name ? String(config.name) : String(config && typeof config === 'object' ? config.text : config).replace(/\s+/g, ' ').slice(0, 40);
  return () => queries.push([round(epoch(sent)), round(performance.now() - sent), name]);
}

function watching() {
  return watch !== null;
}

function start() {
  if (watch) stop();
  const delay = monitorEventLoopDelay({ resolution: TICK_MS });
  delay.enable();
  const gc = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gc.push([round(epoch(entry.startTime)), round(entry.duration), GC_KINDS[entry.detail ? entry.detail.kind : entry.kind] || 'other']);
  });
  observer.observe({ entryTypes: ['gc'] });
  const stalls = [];
  const heap = [];
  const heapTimer = setInterval(() => heap.push([round(epoch(performance.now())), oldSpaceKiB()]), HEAP_MS);
  heapTimer.unref();
  let due = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - due > STALL_MS) stalls.push([round(epoch(due)), round(now - due)]);
    due = now + TICK_MS;
  }, TICK_MS);
  timer.unref();
  watch = { delay, observer, timer, heapTimer, heap, redis: [], queries: [], gc, stalls, served: [], poolWaits: [], poolConnects: 0, poolFull: 0, poolWaitTotal: 0, startedAt: epoch(performance.now()), elu: performance.eventLoopUtilization() };
}

function stop() {
  if (!watch) return { on: false };
  const w = watch;
  watch = null;
  clearInterval(w.timer);
  clearInterval(w.heapTimer);
  w.delay.disable();
  // Entries still buffered in the observer are delivered now.
  for (const entry of w.observer.takeRecords ? w.observer.takeRecords() : []) w.gc.push([round(epoch(entry.startTime)), round(entry.duration), GC_KINDS[entry.detail ? entry.detail.kind : entry.kind] || 'other']);
  w.observer.disconnect();
  const ns = (value) => round(value / 1e6);
  return {
    on: true,
    from: round(w.startedAt),
    to: round(epoch(performance.now())),
    loopDelay: { p50: ns(w.delay.percentile(50)), p99: ns(w.delay.percentile(99)), max: ns(w.delay.max), mean: ns(w.delay.mean) },
    loopUtilization: round(performance.eventLoopUtilization(w.elu).utilization * 1000) / 1000,
    stalls: w.stalls,
    gc: w.gc,
    served: w.served,
    heap: w.heap,
    redis: w.redis,
    queries: w.queries,
    pool: { connects: w.poolConnects, full: w.poolFull, waitTotalMs: round(w.poolWaitTotal), waits: w.poolWaits },
  };
}

/** KiB used in the old generation (old, code and large-object spaces). */
function oldSpaceKiB() {
  let used = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space') used += space.space_used_size;
  return Math.round(used / 1024);
}

function round(ms) {
  return Math.round(ms * 100) / 100;
}

module.exports = { start, stop, noteRedis, noteQuery, watching };
