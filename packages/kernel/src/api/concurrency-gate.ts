/**
 * ConcurrencyGate: at most `concurrent` requests run at once, up to `buffer` more wait their turn in order,
 * and the rest are refused at once (`api.process.overloaded`) instead of piling up in memory.
 */
import { tesseraError } from '@tessera/plugin-sdk';

export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrent: number,
    private readonly buffer: number,
  ) {}

  get inFlight(): number {
    return this.running + this.waiting.length;
  }

  /** Requests running now. */
  get runningCount(): number {
    return this.running;
  }

  /** Requests waiting their turn. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  get saturated(): boolean {
    return this.waiting.length >= this.buffer;
  }

  /** Takes a place at once if one is free (then the caller must `release()` it), without a turn of the event loop. */
  tryAcquire(): boolean {
    if (this.running >= this.concurrent) return false;
    this.running++;
    return true;
  }

  /** Resolves when the caller may run; the caller must call `release()` exactly once afterwards. */
  async acquire(): Promise<void> {
    if (this.tryAcquire()) return;
    if (this.saturated) throw tesseraError('api.process.overloaded');
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
