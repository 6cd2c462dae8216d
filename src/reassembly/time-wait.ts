// How long a closed connection is remembered on the capture's clock.

/**
 * A closed connection's trailing segments (the last ACK, a resent FIN) come
 * within a minute of capture time, as long as Linux keeps TIME_WAIT (Zeek
 * waits 5 s): later, the peers themselves have forgotten the connection. The
 * reassembler keeps a closed flow's tombstone this long, and the connection
 * log the way back to a connection it put aside.
 */
export const TIME_WAIT_NS = 60_000_000_000n;
