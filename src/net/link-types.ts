// LINKTYPE_* values (the numbers stored in pcap and pcapng files, listed at
// https://www.tcpdump.org/linktypes.html) that the frame decoder understands.

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** Old DLT_RAW values some platforms wrote into files before LINKTYPE_RAW existed. */
export const LINKTYPE_RAW_OLD_12 = 12;
export const LINKTYPE_RAW_OLD_14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, 'NULL'],
  [LINKTYPE_ETHERNET, 'ETHERNET'],
  [LINKTYPE_RAW_OLD_12, 'RAW'],
  [LINKTYPE_RAW_OLD_14, 'RAW'],
  [LINKTYPE_RAW, 'RAW'],
  [LINKTYPE_LOOP, 'LOOP'],
  [LINKTYPE_LINUX_SLL, 'LINUX_SLL'],
  [LINKTYPE_IPV4, 'IPV4'],
  [LINKTYPE_IPV6, 'IPV6'],
  [LINKTYPE_LINUX_SLL2, 'LINUX_SLL2'],
]);

/** A name for reports: `ETHERNET`, `LINUX_SLL2`, or `LINKTYPE_147` for one we do not handle. */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `LINKTYPE_${linkType}`;
}

/** Whether the frame decoder has a decoder for this link type. */
export function isKnownLinkType(linkType: number): boolean {
  return NAMES.has(linkType);
}
