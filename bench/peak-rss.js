'use strict';
// Preloaded into the Node peer's cold.js (`node -r peak-rss.js cold.js EVENT`): prints the process's own
// peak resident set (VmHWM) on stderr as it exits. process.resourceUsage().maxRSS, which cold.js reports,
// is getrusage's ru_maxrss, and Linux carries that across fork+exec: spawned from the ~500 MiB benchmark
// process it reads ~480 MiB whatever node itself used. VmHWM belongs to the address space exec created,
// as it does for our cold host.
const fs = require('fs');
process.on('exit', () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  fs.writeSync(2, `peakRssKiB ${m ? m[1] : 0}\n`);
});
