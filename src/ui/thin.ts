// Keeps a long, growing series short enough to draw every frame: inputs are grouped into buckets of
// `stride` consecutive points, and each bucket keeps only its lowest and highest point, so spikes survive.
// When the output passes `cap` points, neighbouring buckets merge and the stride doubles. Appending costs
// amortised O(1), where decimating the whole series again on every redraw costs O(n).

export interface Point {
  x: number;
  y: number;
}

// Chart.js wraps push() on the arrays it draws and replays every wrapped push as an element update; the
// plain Array.prototype.push skips that, and Chart.js then syncs the changed array once per redraw.
const push = Array.prototype.push;

export class MinMaxThinner {
  /** The points to draw, in input order. The chart holds this very array. */
  readonly points: Point[] = [];
  private stride = 1;
  private sizes: number[] = []; // points each closed bucket kept (1 or 2)
  private open: Point[] = []; // inputs of the bucket being filled
  private shown = 0; // points at the end of `points` drawn by show(), dropped at the next push
  private last: Point | null = null; // the newest input

  constructor(private readonly cap = 2000) {
    if (cap < 8) throw new Error('cap must be at least 8');
  }

  /** Inputs per bucket now. */
  get bucket(): number {
    return this.stride;
  }

  /** Adds a point. Call `show()` after a batch of pushes to draw the newest ones. */
  push(p: Point): void {
    if (this.shown) this.points.length -= this.shown;
    this.shown = 0;
    this.last = p;
    const open = this.open;
    open.push(p);
    if (open.length < this.stride) return;
    const [lo, hi] = extremeIndices(open);
    if (lo === hi) push.call(this.points, open[lo]);
    else push.call(this.points, open[Math.min(lo, hi)], open[Math.max(lo, hi)]);
    this.sizes.push(lo === hi ? 1 : 2);
    open.length = 0;
    if (this.points.length > this.cap) this.merge();
  }

  /** Draws the bucket still filling, and the newest point, so the curve reaches the latest input. */
  show(): void {
    this.points.length -= this.shown;
    const tail = this.open.length ? extremes(this.open) : [];
    if (this.last && this.points[this.points.length - 1] !== this.last && tail[tail.length - 1] !== this.last) tail.push(this.last);
    push.apply(this.points, tail);
    this.shown = tail.length;
  }

  clear(): void {
    this.points.length = 0;
    this.sizes = [];
    this.open = [];
    this.shown = 0;
    this.stride = 1;
    this.last = null;
  }

  /** Neighbouring closed buckets become one, keeping the extremes of both. */
  private merge(): void {
    const merged: Point[] = [];
    const sizes: number[] = [];
    let at = 0;
    for (let i = 0; i < this.sizes.length; i += 2) {
      const n = this.sizes[i] + (this.sizes[i + 1] ?? 0);
      const kept = extremes(this.points.slice(at, at + n));
      merged.push(...kept);
      sizes.push(kept.length);
      at += n;
    }
    // an odd bucket out was merged with nothing: it holds half the inputs of the others, which only makes
    // the newest part of the curve a little finer
    this.points.length = 0;
    push.apply(this.points, merged);
    this.sizes = sizes;
    this.stride *= 2;
  }
}

/** Where a group's lowest and highest points are. */
function extremeIndices(ps: Point[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < ps.length; i++) {
    if (ps[i].y < ps[lo].y) lo = i;
    if (ps[i].y > ps[hi].y) hi = i;
  }
  return [lo, hi];
}

/** The lowest and highest points of a group, in input order (one point where they coincide). */
function extremes(ps: Point[]): Point[] {
  const [lo, hi] = extremeIndices(ps);
  if (lo === hi) return [ps[lo]];
  return lo < hi ? [ps[lo], ps[hi]] : [ps[hi], ps[lo]];
}
