/**
 * What the api allocates per request, for `ab-api.ts … --b-node-options='--require ./bench/tools/alloc-probe.cjs'`
 * (issue 13's allocation work). Preloaded, it counts the HTTP requests the process serves, runs V8's sampling heap
 * profiler from the first request on, keeping the samples of objects already collected (so the samples add up to bytes *allocated*, not live),
 * sums the old generation's growth across young collections (bytes promoted), and on SIGTERM writes to
 * `$ALLOC_PROBE_OUT.<pid>.json`: requests, bytes allocated and promoted, the top allocation sites (4 frames each), and the
 * functions under which the most was allocated (`inclusive`: their callees' allocations counted too).
 * With ALLOC_PROBE_MODE=promoted (or preloaded as alloc-probe-promoted.cjs) the profiler drops what a young collection freed, so its sites are those of the
 * objects that survived scavenges (promoted, or still live at the stop: two young collections before the profile is
 * taken leave only the live ones), the bytes that make the old generation grow and the mark-compacts come. Objects
 * allocated in the old generation directly count too, and so does what a mark-compact finds dead in the young generation
 * (it collects both): read the sites against the allocated profile's.
 * The profiler costs CPU: compare CPU per submit in runs without the probe.
 */
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const inspector = require('node:inspector');
const v8 = require('node:v8');
const { PerformanceObserver } = require('node:perf_hooks');

const promotedOnly = process.env.ALLOC_PROBE_MODE === 'promoted';
const out = `${process.env.ALLOC_PROBE_OUT ?? '/tmp/alloc-probe'}.${process.pid}.json`;
let requests = 0;
const originalEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function countedEmit(event, ...rest) {
  if (event === 'request' && requests++ === 0) start();
  return originalEmit.call(this, event, ...rest);
};

let promoted = 0;
let lastOld = 0;
let scavenges = 0;
let majors = 0;
const oldUsed = () => v8.getHeapSpaceStatistics().reduce((sum, s) => (s.space_name === 'new_space' ? sum : sum + s.space_used_size), 0);
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail ? entry.detail.kind : entry.kind;
    const now = oldUsed();
    if (kind === 1) {
      scavenges++;
      if (now > lastOld) promoted += now - lastOld;
    } else majors++;
    lastOld = now;
  }
});

const session = new inspector.Session();
/** From the first request on (start-up's module loading and compiling left out). */
function start() {
  lastOld = oldUsed();
  observer.observe({ entryTypes: ['gc'] });
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !promotedOnly });
}

function write() {
  if (requests === 0) return;
  if (promotedOnly) {
    // The young generation's garbage of the last moments is still sampled: two scavenges drop it (the second
    // promotes what survived the first), leaving the objects that are really live.
    v8.setFlagsFromString('--expose-gc');
    const gc = require('node:vm').runInNewContext('gc');
    gc({ type: 'minor' });
    gc({ type: 'minor' });
  }
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    const sites = new Map();
    /** Bytes allocated under each function, its callees' included (a recursive one counted once). */
    const inclusive = new Map();
    let total = 0;
    const walk = (node, stack) => {
      const frame = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
      const here = [...stack, frame];
      if (node.selfSize > 0) {
        total += node.selfSize;
        const key = here.slice(-4).reverse().join(' < ');
        sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
        for (const caller of new Set(here)) inclusive.set(caller, (inclusive.get(caller) ?? 0) + node.selfSize);
      }
      for (const child of node.children) walk(child, here);
    };
    walk(result.profile.head, []);
    const ranked = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([site, bytes]) => ({ bytes, perRequest: Math.round(bytes / Math.max(requests, 1)), site }));
    const top = ranked(sites, 100);
    fs.writeFileSync(out, JSON.stringify({ entry: process.argv[1], mode: promotedOnly ? 'promoted' : 'allocated', requests, [promotedOnly ? 'survived' : 'allocated']: total, [promotedOnly ? 'survivedPerRequest' : 'allocatedPerRequest']: Math.round(total / Math.max(requests, 1)), promoted, promotedPerRequest: Math.round(promoted / Math.max(requests, 1)), scavenges, majors, top, inclusive: ranked(inclusive, 80) }, null, 1));
  });
}
process.prependListener('SIGTERM', write);
