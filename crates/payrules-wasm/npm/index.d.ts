// Types of the `payrules` package's main entry (validation; the ledger's are in ledger/index.d.ts).
// The data types (ProfileId, Code, Severity, Violation, Report, Request, Response, AllowedAction)
// are generated from the Rust types into types.d.ts by scripts/build-npm.sh
// (crates/payrules/examples/ts_types.rs); only the functions and the JavaScript-only shapes are here.
import type { AllowedAction, ProfileId, Report, Request } from './types.js';

export * from './types.js';

/** A status name the profile does not have. */
export interface LifecycleProblem {
  error: { kind: 'unknown_state' | 'refused'; [key: string]: unknown };
  message: string;
}

/** Loads the engine; in Node it resolves at once. Call it once before anything else in a browser. */
export default function init(input?: unknown): Promise<unknown>;

/** The verdict on a request object. Throws an Error when the argument is not a request object. */
export function validate(request: Request): Report;
/** The verdict on a request given as JSON text, as exact JSON text. */
export function validateJson(text: string): string;
/**
 * The verdicts on many requests given as UTF-8 JSON Lines: one entry per non-blank line, in order
 * (blank lines get no entry). Only the verdicts are computed; a report is written when asked for.
 */
export function validateBatch(bytes: Uint8Array): BatchResult;
/** Like `validateBatch`, as exact JSON text (an array). */
export function validateBatchJson(bytes: Uint8Array): string;
/** Every profile with its operations, fields and lifecycle. */
export function profiles(): unknown[];
/** The actions allowed from a status. Throws for an unknown profile. */
export function allowedActions(profile: ProfileId, state: string): AllowedAction[] | LifecycleProblem;
/** A profile's lifecycle as a Mermaid state diagram. Throws for an unknown profile. */
export function diagram(profile: ProfileId): string;

/**
 * The verdicts on a batch. Entry `i` is the `i`-th non-blank line of the bytes (0-based; blank and
 * whitespace-only lines are skipped, as in `validateBatchJson` and `payrules validate`), so with no
 * blank lines it is the 0-based line number. The batch keeps a copy of the bytes inside the module
 * until it is freed (or collected).
 */
export class BatchResult {
  /** How many entries (non-blank lines). */
  readonly length: number;
  /** The indexes of the invalid entries, ascending (a fresh array on each read). */
  readonly invalidLines: Uint32Array;
  /**
   * The indexes of the entries whose report may hold a violation, warnings included (ascending):
   * every invalid entry and each valid one the one-pass check cannot prove clean. The others have
   * no violation at all; `reportJson(i)` tells for these.
   */
  mayHaveViolations(): Uint32Array;
  /**
   * Entry `i`'s full report (the same as `validateJson` of that line), a fresh object each call.
   * Written on demand; invalid entries read in order are written a run of up to 64 at a time.
   * Throws when `i` is out of range.
   */
  report(i: number): Report;
  /** Entry `i`'s report as exact JSON text (the bytes `validateJson` returns for that line). */
  reportJson(i: number): string;
  /** Every entry's report, in order (each written when reached). */
  [Symbol.iterator](): IterableIterator<Report>;
  /** Frees the batch's memory now rather than when it is collected. */
  free(): void;
}

