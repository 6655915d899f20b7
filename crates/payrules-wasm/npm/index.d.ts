// Types of the `payrules` package's main entry (validation; the ledger's are in ledger/index.d.ts).
// They mirror the Rust types of the core crate; a test
// (crates/payrules-wasm/tests/types.rs) checks every field and name against them.

/**
 * A registered profile's id ('komet' | 'activeplatform' | …). scripts/build-npm.sh replaces
 * `string` with the union of the registry's ids (crates/payrules/src/registry.rs) in the package.
 */
export type ProfileId = string;

/** The stable violation codes (see CONTRIBUTING.md). */
export type Code =
  | 'required' | 'type' | 'pattern' | 'max_length' | 'enum' | 'range' | 'one_of'
  | 'conditional_required' | 'unknown_field' | 'read_only' | 'invalid_json' | 'unknown_route'
  | 'auth' | 'precision';

/** A request to one of the five APIs. */
export interface Request {
  profile: ProfileId | string;
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /**
   * Any JSON value, or the body's JSON **text** as a string. Prefer the text: it keeps decimals
   * exactly (`12.3400`); a JavaScript number has already lost them (`12.34`).
   */
  body?: unknown;
}

/** One problem found in a request. */
export interface Violation {
  /** JSON Pointer into the request, e.g. `/body/payments/2/paymentId`. */
  path: string;
  code: Code;
  severity: 'error' | 'warning';
  /** What was found, what the vendor accepts, and the corrected value where there is one. */
  message: string;
  /** The corrected value as JSON text, when the engine can offer one. */
  suggestion?: string;
}

/** The verdict on one request. */
export interface Report {
  /** false exactly when `errors` holds a violation of severity `error`. */
  valid: boolean;
  operation: string | null;
  errors: Violation[];
}

/** What an API answers. */
export interface Response {
  status: number;
  body: unknown;
}

/** An action allowed from a status. */
export interface AllowedAction {
  action: string;
  to: string;
}

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
  /** Entry `i`'s full report, written now (the same as `validateJson` of that line). Throws when `i` is out of range. */
  report(i: number): Report;
  /** Entry `i`'s report as exact JSON text (the bytes `validateJson` returns for that line). */
  reportJson(i: number): string;
  /** Every entry's report, in order (each written when reached). */
  [Symbol.iterator](): IterableIterator<Report>;
  /** Frees the batch's memory now rather than when it is collected. */
  free(): void;
}
