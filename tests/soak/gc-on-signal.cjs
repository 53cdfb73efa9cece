// Soak instrumentation, preloaded into the fleet's children (NODE_OPTIONS=--require): on SIGUSR2
// a full GC runs, then the heap used after it is written to $SREKIT_SOAK_HEAP_DIR/<pid>.json, so the
// soak measures every process's heap after a GC, not a point on the allocation sawtooth.
'use strict';
const { renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');

const dir = process.env.SREKIT_SOAK_HEAP_DIR;
if (dir) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    const file = join(dir, `${process.pid}.json`);
    const { heapUsed, rss } = process.memoryUsage();
    writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), heapUsed, rss }));
    renameSync(`${file}.tmp`, file);
  });
}
