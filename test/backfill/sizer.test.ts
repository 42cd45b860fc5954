import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { BatchSizer, formatDuration, lineProgress, progressLine } from "../../src/backfill/index.js";

describe("adaptive batch size", () => {
  it("grows at most twofold per batch while batches are fast, up to its maximum", () => {
    const sizer = new BatchSizer({ initial: 1000, targetMs: 100, max: 5000 });
    sizer.record(1000, 5); // 0.005 ms per key: 14,000 would fit, but one fast batch says little
    expect(sizer.size).toBe(2000);
    sizer.record(2000, 10);
    expect(sizer.size).toBe(4000);
    sizer.record(4000, 20);
    expect(sizer.size).toBe(5000);
  });

  it("settles below the target, and shrinks at once after a batch over it", () => {
    const sizer = new BatchSizer({ initial: 1000, targetMs: 100 });
    for (let i = 0; i < 20; i++) sizer.record(sizer.size, sizer.size * 0.02); // 0.02 ms per key
    expect(sizer.size).toBe(2500); // half the target: room for noise
    sizer.record(2500, 250); // a slow patch of the table
    expect(sizer.size).toBeLessThan(1000);
  });

  it("does not grow on a batch cut short by the end of the keys, and halves after a statement timeout", () => {
    const sizer = new BatchSizer({ initial: 1000, targetMs: 100 });
    sizer.record(10, 1);
    expect(sizer.size).toBe(1000);
    sizer.shrink();
    expect(sizer.size).toBe(500);
  });
});

describe("progress", () => {
  it("prints processed, remaining, rate and ETA", () => {
    expect(progressLine({ processed: 1000, remaining: 41120, rate: 928.4, batchSize: 1000, batchMs: 40 })).toBe("processed=1000 remaining=41120 rate=928 rows/s eta=44s");
    expect(formatDuration(75)).toBe("1m15s");
    expect(formatDuration(3700)).toBe("1h01m");
  });

  it("writes lines at most once per interval, and the last one when it stops", () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (chunk) => (text += chunk));
    const sink = lineProgress(stream, 60_000);
    sink.start("users (display_name)", 0, 3000);
    for (let i = 1; i <= 3; i++) sink.update({ processed: i * 1000, remaining: 3000 - i * 1000, rate: 500, batchSize: 1000, batchMs: 10 });
    sink.stop();
    expect(text).toBe("users (display_name): starting, 3000 rows to do\nusers (display_name): processed=3000 remaining=0 rate=500 rows/s eta=0s\n");
  });
});
