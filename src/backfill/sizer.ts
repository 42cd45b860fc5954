/**
 * How many rows the next batch takes, so that each batch stays under the target duration: a batch holds its row
 * locks (and an application write to one of those rows waits) for as long as it runs, so the target bounds that
 * wait. Rows cost different amounts on different parts of a table (cold pages, TOAST, triggers), so the cost per
 * row is re-estimated after every batch and the size follows it, aiming below the target to leave room for noise.
 */

export interface SizerOptions {
  /** The first batch's size. */
  readonly initial: number;
  /** Each batch should take less than this (milliseconds, the whole transaction). */
  readonly targetMs: number;
  readonly min?: number;
  readonly max?: number;
}

/**
 * Aim this far below the target: batches vary, and the target is a ceiling, not an average. A batch that runs when
 * a checkpoint starts takes up to twice its usual time (after a checkpoint's start, the first change of each page
 * writes the whole page to the WAL), so half the target leaves room for that. It costs no speed: on the benchmark's
 * table, batches aimed at 50 ms ran at 0.90–0.92× the one-shot UPDATE's rate, those aimed at 70 ms at 0.88×
 * (bench/backfill.mjs, docs/backfill.md).
 */
const AIM = 0.5;
/** Weight of the newest measurement in the moving estimate of the cost per row. */
const SMOOTHING = 0.4;
/** Never grow by more than this factor at once: one fast batch on hot pages says little about the next. */
const MAX_GROWTH = 2;

export class BatchSizer {
  readonly #targetMs: number;
  readonly #min: number;
  readonly #max: number;
  #size: number;
  /** Moving estimate of milliseconds per row; undefined until a batch has been measured. */
  #msPerRow: number | undefined;

  constructor({ initial, targetMs, min = 1, max = 100_000 }: SizerOptions) {
    this.#targetMs = targetMs;
    this.#min = min;
    this.#max = max;
    this.#size = clamp(Math.round(initial), min, max);
  }

  get size(): number {
    return this.#size;
  }

  /** A batch over `rows` keys took `ms`: adjust the next size. */
  record(rows: number, ms: number): void {
    if (rows <= 0) return;
    const over = ms > this.#targetMs;
    // Only the last batch of a walk is short; its fixed costs weigh more per row, so it would mislead.
    if (rows < this.#size && !over) return;
    const perRow = ms / rows;
    this.#msPerRow = this.#msPerRow === undefined ? perRow : SMOOTHING * perRow + (1 - SMOOTHING) * this.#msPerRow;
    // Over the target: shrink at once, by this batch's own measurement, whatever the average says.
    const estimate = over ? Math.max(this.#msPerRow, perRow) : this.#msPerRow;
    let next = (AIM * this.#targetMs) / Math.max(estimate, 1e-6);
    next = Math.min(next, this.#size * MAX_GROWTH);
    this.#size = clamp(Math.round(next), this.#min, this.#max);
  }

  /** The batch hit statement_timeout: halve. */
  shrink(): void {
    this.#size = clamp(Math.floor(this.#size / 2), this.#min, this.#max);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Number.isFinite(value) ? value : min));
}
