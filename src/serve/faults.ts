// Switches that make `upxray serve` reproduce one known fault each
// (shared/protocol/findings.md), so a phone, or a capture, can show it on demand.

export const FAULTS = {
  'no-server-version': 'check-in answers lack ServerVersion',
  'no-service-version': 'check-in answers lack ServiceVersion',
  'other-locale': "offer another locale's newest build when the phone's locale has none",
  'skip-interim': 'offer the newest build to a phone that needs the interim one',
  'no-offer': 'answer Downloads 0 even when an update applies',
  'wrong-area': 'write file URLs under the other DeviceUpdateFiles area (_Ext for the internal handler, _Int for the external)',
  'acl-500-19': 'answer every firmware GET with 500.19 (configuration unreadable: folder permissions)',
  'ssl-403-4': 'answer firmware GETs over plain HTTP with 403.4 (SSL required)',
  'file-404': 'answer firmware GETs under UCPhone/ with 404 (version folder missing)',
  'interim-404': 'answer GETs under OCInterim/ with 404 (virtual directory missing)',
  'legacy-404': 'answer /UCDeviceUpdates/ucdevice.upx with 404 (no redirecting virtual directory)',
  'no-answer': 'read check-ins and never answer them',
  'reset': 'send part of each CPE.nbt, then reset the connection',
} as const;

export type FaultName = keyof typeof FAULTS;

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function isFault(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}
