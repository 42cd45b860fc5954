/**
 * Bounded, resumable backfills: the batched form of an unbounded UPDATE (`backfill plan`) and the runner that
 * executes it with progress, retries, resume and verification (`backfill run`).
 */
export { findBackfills, type BackfillTarget, type FoundBackfills, type RefusedTarget } from "./targets.js";
export { sliceUpdate, type Assignment, type SqlPiece, type UpdateParts } from "./update-parts.js";
export { describeKey, describeKeySource, factsFromHistory, parseKeyOption, readCatalog, type CatalogTable, type ColumnFacts, type KeyColumn, type KeySource, type TableKey } from "./keys.js";
export { historyBefore, upStatements } from "./history.js";
export { planBackfill, type BackfillPlan, type PendingMode, type PlannedAssignment } from "./plan.js";
export { backfillChecks } from "./verification.js";
export { prepareBackfills, type Prepared, type PreparedBackfill, type PrepareInput } from "./prepare.js";
export { BatchSizer } from "./sizer.js";
export { runBackfill, guardSaysOk, GuardError, type RunOptions, type RunOutcome, type RunStats, type RowFailure, type BatchFailure } from "./runner.js";
export { backfillId, defaultStatePath, readState, writeState, StateError, STATE_VERSION, type BackfillState, type KeyRange, type RedoBatch, type StateFile } from "./state.js";
export { splitKeyRange, shareState, runWorkers, combineOutcomes, sharedProgress, totalUpdated, type WorkersOutcome } from "./workers.js";
export { keyWalk, pageWalk, physicalSupport, splitPages, lastPage, type Walk, type WalkOrder, type PhysicalSupport } from "./walk.js";
export { barProgress, lineProgress, silentProgress, progressLine, formatDuration, type ProgressSink, type ProgressUpdate } from "./progress.js";
export { planText, type PlanTextOptions } from "./render.js";
