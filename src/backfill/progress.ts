/**
 * Showing a running backfill: a progress bar (cli-progress) with processed, remaining, rate and ETA on a terminal;
 * elsewhere (CI logs, `kubectl logs`, a pipe) one `processed=… remaining=… rate=… rows/s` line at most every few
 * seconds, which reads well in a log and greps easily. Both write to stderr: stdout carries the result.
 */
import cliProgress from "cli-progress";

export interface ProgressUpdate {
  /** Rows updated so far, including earlier runs of a resumed backfill. */
  readonly processed: number;
  /** Rows still to do (an estimate: counted once, then decremented). */
  readonly remaining: number;
  /** Rows per second in this run. */
  readonly rate: number;
  /** The size (keys) the next batch will take. */
  readonly batchSize: number;
  /** The last batch's duration, BEGIN to COMMIT (milliseconds). */
  readonly batchMs: number;
}

export interface ProgressSink {
  /** A backfill starts: `label` names it (`users.display_name`). */
  start(label: string, processed: number, remaining: number): void;
  update(progress: ProgressUpdate): void;
  /** A remark that interrupts the display: a retry, a guard wait, a new pass. */
  note(message: string): void;
  stop(): void;
}

/** The `processed=… remaining=… rate=… rows/s` form. */
export function progressLine(progress: ProgressUpdate): string {
  const eta = progress.rate > 0 ? ` eta=${formatDuration(progress.remaining / progress.rate)}` : "";
  return `processed=${progress.processed} remaining=${progress.remaining} rate=${Math.round(progress.rate)} rows/s${eta}`;
}

/** 75 → "1m15s", 3700 → "1h01m", 8 → "8s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Lines, at most one per `intervalMs` (and always the last one when the backfill stops). */
export function lineProgress(stream: NodeJS.WritableStream, intervalMs = 2000): ProgressSink {
  let label = "";
  let lastAt = 0;
  let pending: ProgressUpdate | undefined;
  const write = (progress: ProgressUpdate): void => {
    stream.write(`${label}: ${progressLine(progress)}\n`);
    lastAt = Date.now();
    pending = undefined;
  };
  return {
    start(name, processed, remaining) {
      label = name;
      stream.write(`${label}: starting, ${remaining} rows to do${processed ? ` (${processed} done before)` : ""}\n`);
      lastAt = Date.now();
    },
    update(progress) {
      if (Date.now() - lastAt >= intervalMs) write(progress);
      else pending = progress;
    },
    note(message) {
      stream.write(`${label}: ${message}\n`);
    },
    stop() {
      if (pending) write(pending);
    },
  };
}

/** A bar on a terminal. */
export function barProgress(stream: NodeJS.WritableStream): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      // `eta` is cli-progress's own token (its estimate, in seconds): ours, from the rate of this run, is `left`.
      format: "{label} {bar} {percentage}% | processed={value} remaining={remaining} | {rate} rows/s | ETA {left}",
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    start(label, processed, remaining) {
      bar.start(processed + remaining, processed, { label, remaining, rate: 0, left: "?" });
      running = true;
    },
    update(progress) {
      bar.setTotal(progress.processed + progress.remaining);
      bar.update(progress.processed, {
        remaining: progress.remaining,
        rate: Math.round(progress.rate),
        left: progress.rate > 0 ? formatDuration(progress.remaining / progress.rate) : "?",
      });
    },
    note(message) {
      // cli-progress redraws in place; a note goes on its own line above the bar.
      if (running) stream.write("\n");
      stream.write(`${message}\n`);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

export const silentProgress: ProgressSink = { start() {}, update() {}, note() {}, stop() {} };
