// Counters the reassembler keeps for the run summary and for tests: each is a
// fact about the capture (how much was lost, resent, reordered), not a verdict.

/** Running totals of one TcpReassembler. */
export interface ReassemblyStats {
  /** Connections seen (FlowInfo values made), as tshark's tcp.stream count. */
  flows: number;
  /** TCP segments pushed. */
  segments: number;
  /** Bytes delivered in 'data' events. */
  bytesDelivered: number;
  /** 'gap' events, and the bytes they declared missing. */
  gaps: number;
  gapBytes: number;
  /** Segments (or SYN/FIN) carrying only sequence space already delivered or already held. */
  retransmissions: number;
  /** Segments that filled a hole after later data had arrived. */
  outOfOrder: number;
  /** Segments that partly covered bytes already delivered or held. */
  overlaps: number;
  /** Overlaps whose bytes differed from the bytes seen first. */
  conflicts: number;
  /** Flows that ended with segments seen in one direction only. */
  oneSidedFlows: number;
  /** Open flows ended early because maxOpenFlows were already open (a SYN flood, a port scan). */
  evictedFlows: number;
}

export function emptyStats(): ReassemblyStats {
  return {
    flows: 0,
    segments: 0,
    bytesDelivered: 0,
    gaps: 0,
    gapBytes: 0,
    retransmissions: 0,
    outOfOrder: 0,
    overlaps: 0,
    conflicts: 0,
    oneSidedFlows: 0,
    evictedFlows: 0,
  };
}
