import type { RateLimitSettings } from './app-context.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per caller (API key + acting user): `burst` requests at once, refilled at
 * `perSecond`. Buckets that are full again are dropped, so memory stays bounded by active callers.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly nowMs: () => number,
  ) {}

  /** Takes a token; returns 0 when allowed, else the whole seconds to wait before the next one. */
  take(caller: string): number {
    const now = this.nowMs();
    const { perSecond, burst } = this.settings;
    const bucket = this.buckets.get(caller) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(caller, bucket);
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    }
    bucket.tokens -= 1;
    this.buckets.set(caller, bucket);
    if (this.buckets.size > 10_000) this.sweep(now);
    return 0;
  }

  private sweep(now: number): void {
    const { perSecond, burst } = this.settings;
    for (const [caller, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.buckets.delete(caller);
    }
  }
}
