// What the HTTP parser needs to have a long body's sha256 computed on another
// thread (parallel/hash-thread.ts does it). Hashing is a fifth of the work per
// byte of a firmware download, and it is the one step that needs nothing but
// the bytes: the parser copies each piece away and goes on, and the digest is
// written into the message when the other thread has it.
import type { HttpMessage } from './message.js';

/** `bodySha256` of a message whose digest is still being computed elsewhere. */
export const PENDING_SHA256 = '';

export interface OffThreadHasher {
  /** Bodies announced (Content-Length) at this many bytes or more are worth sending away. */
  readonly minBytes: number;
  /** A new body: the id its pieces are sent under. */
  begin(): number;
  /** The next piece of body `id` (lent: copied before this returns). */
  update(id: number, bytes: Uint8Array): void;
  /**
   * Body `id` is complete. `message.bodySha256` is PENDING_SHA256 until its digest
   * is known, and set by the time the hasher is settled.
   */
  end(id: number, message: HttpMessage): void;
  /** Body `id` will not be finished (the connection turned into a tunnel). */
  discard(id: number): void;
}
