// One frozen object per address and port: the reassembler's flow and the
// connection log each name both ends of every connection, and every
// connection to the server names the same server end. Kept for the whole
// report, four objects per connection become about one.
import type { Endpoint } from './stream-event.js';

/** Endpoints remembered; the table starts over when full (client ports keep changing). */
const MAX_ENDPOINTS = 4096;

const byIp = new Map<string, Map<number, Endpoint>>();
let count = 0;

/** The shared endpoint for `ip` (as printed by the IP decoders) and `port`. */
export function sharedEndpoint(ip: string, port: number): Endpoint {
  let byPort = byIp.get(ip);
  const known = byPort?.get(port);
  if (known !== undefined) return known;
  if (count >= MAX_ENDPOINTS) {
    byIp.clear();
    count = 0;
    byPort = undefined;
  }
  if (!byPort) byIp.set(ip, (byPort = new Map()));
  const e = Object.freeze({ ip, port });
  byPort.set(port, e);
  count++;
  return e;
}
