// The process's peak resident memory in MB. Linux's VmHWM, not
// process.resourceUsage().maxRSS: getrusage keeps the high-water mark across
// fork and exec, so a child would report at least its parent's size.

import { readFileSync } from 'node:fs';

export function peakMB() {
  try {
    const match = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.round(Number(match[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
