// The peer: an exact tracker that keeps every event's timestamp (good and bad in two arrays) and
// counts a window by binary search. What one writes first; exact, but memory grows with traffic.

function upperBound(times, from, to, x) {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class Timestamps {
  times = [];
  start = 0;

  push(at) {
    this.times.push(at);
  }

  /** Events in (now − windowMs, now]; also forgets events older than `keepMs`. */
  count(now, windowMs) {
    const end = upperBound(this.times, this.start, this.times.length, now);
    return end - upperBound(this.times, this.start, end, now - windowMs);
  }

  trim(now, keepMs) {
    this.start = upperBound(this.times, this.start, this.times.length, now - keepMs);
    // Compact now and then so the array does not grow without bound.
    if (this.start > 1_000_000 && this.start > this.times.length / 2) {
      this.times = this.times.slice(this.start);
      this.start = 0;
    }
  }
}

export class NaiveTracker {
  constructor(windowsSeconds, allowed) {
    this.windowsMs = windowsSeconds.map((s) => s * 1000);
    this.keepMs = Math.max(...this.windowsMs);
    this.allowed = allowed;
    this.good = new Timestamps();
    this.bad = new Timestamps();
  }

  record(good, at = Date.now()) {
    if (good) this.good.push(at);
    else this.bad.push(at);
  }

  status(now = Date.now()) {
    this.good.trim(now, this.keepMs);
    this.bad.trim(now, this.keepMs);
    return this.windowsMs.map((ms) => {
      const good = this.good.count(now, ms);
      const bad = this.bad.count(now, ms);
      const total = good + bad;
      return { good, bad, total, burnRate: total > 0 ? bad / total / this.allowed : undefined };
    });
  }
}
