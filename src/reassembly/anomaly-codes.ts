// The anomaly codes TCP reassembly emits, each a fact about the capture stated
// in one line (style habit 11: one declared catalogue, codes are a contract).
// Two families: the content view (what happened to the bytes), and Wireshark's
// tcp.analysis flags under the same names, so frames can be checked with
// `tshark -Y tcp.analysis.<flag>`.

export const REASSEMBLY_ANOMALIES = {
  'tcp.retransmission': 'bytes already delivered, or already held, were sent again',
  'tcp.overlap-conflict': 'a resent byte differs from the copy seen first (the first copy was kept)',
  'tcp.out-of-order': 'a segment filled a hole after later data had arrived',
  'tcp.previous-segment-not-captured': 'a segment starts beyond everything seen so far in its direction',
  'tcp.keep-alive': 'a one-byte resend of the last byte (RFC 9293 §3.8.4)',
  'tcp.data-after-fin': 'sequence space beyond the FIN was dropped',
  'tcp.data-after-close': 'data arrived for a direction that had already ended',
  'tcp.fin-mismatch': 'a second FIN at another sequence number was ignored',
  'tcp.seq-jump': 'a segment more than 2^30 bytes from the stream position was dropped',
  'tcp.desync': 'a second jumped segment agreed with the first: the stream resumed there after a gap',
  'tcp.analysis.retransmission': "Wireshark's tcp.analysis.retransmission",
  'tcp.analysis.fast_retransmission': "Wireshark's tcp.analysis.fast_retransmission",
  'tcp.analysis.spurious_retransmission': "Wireshark's tcp.analysis.spurious_retransmission",
  'tcp.analysis.out_of_order': "Wireshark's tcp.analysis.out_of_order",
  'tcp.analysis.lost_segment': "Wireshark's tcp.analysis.lost_segment (previous segment not captured)",
  'tcp.analysis.keep_alive': "Wireshark's tcp.analysis.keep_alive",
} as const;

/** A code of REASSEMBLY_ANOMALIES, as found in an 'anomaly' StreamEvent. */
export type ReassemblyAnomalyCode = keyof typeof REASSEMBLY_ANOMALIES;
