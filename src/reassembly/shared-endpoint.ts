// One frozen object per address and port: the reassembler's flow and the
// connection log each name both ends of every connection, and every
// connection to the server names the same server end. Kept for the whole
// report, four objects per connection become about one.
import type { Endpoint } from './stream-event.js';
import { TwoKeyMemo } from '../util/two-key-memo.js';

/** Endpoints remembered; the table starts over when full (client ports keep changing). */
const MAX_ENDPOINTS = 4096;

const endpoints = new TwoKeyMemo<string, number, Endpoint>(MAX_ENDPOINTS);

/** The shared endpoint for `ip` (as printed by the IP decoders) and `port`. */
export function sharedEndpoint(ip: string, port: number): Endpoint {
  return endpoints.get(ip, port) ?? endpoints.remember(ip, port, Object.freeze({ ip, port }));
}
