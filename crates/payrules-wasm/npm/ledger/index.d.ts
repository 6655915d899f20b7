// Types of `payrules/ledger`, the package's second module: the stateful emulation of the five APIs.
// The request and response shapes are the main entry's (`payrules`).
import type { Request, Response } from '../index.js';

export type { Request, Response };

/** Options of a ledger: `now` starts a reproducible clock (one second per request). */
export interface LedgerOptions {
  now?: string;
}

/** Resolves once the ledger's module is loaded: at once, since importing this entry loads it. */
export default function init(input?: unknown): Promise<unknown>;

/** A stateful emulation of the five APIs. */
export class Ledger {
  /** A ledger on the sample world. */
  constructor(options?: LedgerOptions);
  /** A ledger with no records. */
  static empty(options?: LedgerOptions): Ledger;
  /** A ledger from a snapshot; throws (and uses nothing) when the snapshot is damaged. */
  static restore(snapshot: string, options?: LedgerOptions): Ledger;
  /** Answers a request object. Throws an Error when the argument is not a request object. */
  handle(request: Request): Response;
  /** Answers a request given as JSON text, as exact JSON text. */
  handleJson(text: string): string;
  /** The whole state as JSON text. */
  snapshot(): string;
  /** Frees the ledger's memory now rather than when it is collected. */
  free(): void;
}
