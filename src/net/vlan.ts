// IEEE 802.1Q VLAN tags, stacked as in 802.1ad (QinQ): each tag is a 16-bit
// TCI (3 bits priority, 1 bit drop-eligible, 12 bits VLAN id) followed by the
// EtherType of what comes next, which may be another tag. The tag protocol
// identifiers accepted are 0x8100, 0x88a8 and the pre-standard 0x9100.
import { decodeError, fail, ok, type Decoded } from './decode-error.js';
import { ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, ETHERTYPE_VLAN } from './ethernet.js';
import type { VlanTag } from './packet.js';

export const VLAN_TAG_LENGTH = 4;
/**
 * More tags than any real network stacks; beyond this the frame is treated as
 * hostile rather than walked further (bounded loop, style habit 4).
 */
export const MAX_VLAN_TAGS = 8;

/** Whether an EtherType value introduces a VLAN tag. */
export function isVlanTpid(etherType: number): boolean {
  return etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD;
}

export interface VlanStackEnd {
  /** EtherType after the innermost tag. */
  etherType: number;
  /** Absolute offset of the first byte after the innermost tag. */
  payloadOffset: number;
}

/**
 * Decode the tags starting at `offset`, where `tpid` (already read by the link
 * layer) announced the first one. Tags are appended to `tags`, outermost first,
 * as they decode, so a frame that stops in the third tag still shows the first two.
 */
export function decodeVlanStack(
  data: Uint8Array,
  offset: number,
  tpid: number,
  tags: VlanTag[],
): Decoded<VlanStackEnd> {
  let off = offset;
  let type = tpid;
  for (let n = 0; isVlanTpid(type); n++) {
    if (n === MAX_VLAN_TAGS) {
      return fail(
        decodeError('vlan', 'vlan.too-many-tags', off, {
          detail: `more than ${MAX_VLAN_TAGS} stacked VLAN tags`,
        }),
      );
    }
    if (data.length - off < VLAN_TAG_LENGTH) {
      return fail(
        decodeError('vlan', 'vlan.tag-too-short', off, {
          required: VLAN_TAG_LENGTH,
          available: Math.max(0, data.length - off),
          lenSource: 'slice',
        }),
      );
    }
    const tci = (data[off] << 8) | data[off + 1];
    tags.push({ tpid: type, id: tci & 0x0fff, pcp: tci >> 13, dei: (tci & 0x1000) !== 0 });
    type = (data[off + 2] << 8) | data[off + 3];
    off += VLAN_TAG_LENGTH;
  }
  return ok({ etherType: type, payloadOffset: off });
}
