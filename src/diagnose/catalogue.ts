// The findings catalogue (style habit 11): every finding code upxray can
// report, with its severity, the family of rules that raises it, a one-line
// summary and the remedy. The codes and severities are the public contract of
// shared/protocol/findings.md; JSON output, tests and users' scripts refer to
// entries by code. Remedies follow the troubleshooting guide in shared/seeds/,
// written in this project's own words.

/** How bad a finding is, most severe first. */
export type Severity = 'error' | 'warning' | 'info';

/** Severities from most to least severe (for sorting and --fail-on). */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** The family of rules a finding belongs to (groups findings in reports). */
export type FindingGroup = 'response' | 'interim' | 'download' | 'request' | 'dns' | 'dhcp' | 'tls' | 'device' | 'http';

/** One catalogue entry. */
export interface CatalogueEntry {
  severity: Severity;
  group: FindingGroup;
  /** What was seen, in one line. */
  summary: string;
  /** What to do about it; undefined when the finding itself says everything there is. */
  remedy?: string;
}

/** Every finding code, keyed by code. */
export const CATALOGUE = {
  'missing-server-version': {
    severity: 'error',
    group: 'response',
    summary: 'a check-in response has no ServerVersion field',
    remedy:
      'Repair the Device Update Service request handler (reinstall or re-activate Web Components); a response must always carry ServerVersion. Compare with the response of a server that works.',
  },
  'missing-service-version': {
    severity: 'error',
    group: 'response',
    summary: 'a check-in response has no ServiceVersion field',
    remedy:
      'Repair the Device Update Service request handler (reinstall or re-activate Web Components); a response must always carry ServiceVersion. Compare with the response of a server that works.',
  },
  'locale-mismatch': {
    severity: 'error',
    group: 'response',
    summary: "the phone's locale has no update files on the server",
    remedy:
      "Upload the update .cab that contains the phone's locale and approve (or, for a test device, leave pending) the files for that locale.",
  },
  'bad-request-url': {
    severity: 'error',
    group: 'request',
    summary: 'a check-in or download request line is malformed, or the server answered 400',
    remedy:
      "Reset the phone's language/locale setting and check in again; look at the URL the phone builds for anything that is not plain ASCII.",
  },
  'upx-decode-error': {
    severity: 'error',
    group: 'response',
    summary: 'a ucdevice.upx body is not decodable XML',
  },
  'interim-required': {
    severity: 'info',
    group: 'interim',
    summary: 'the phone runs a version below 1.0.522.98 and gets the interim build 1.0.522.103 first',
    remedy:
      'Nothing is wrong: the phone needs two update cycles. Let it install the interim build, reboot after five idle minutes and check in again.',
  },
  'interim-not-offered': {
    severity: 'error',
    group: 'interim',
    summary: 'the phone runs a version below 1.0.522.98 but is offered something other than the interim build',
    remedy:
      'Check that the OCInterim virtual directory exists under DeviceUpdateFiles_Int and DeviceUpdateFiles_Ext and that the uploaded .cab carried the interim build.',
  },
  'interim-vdir-missing': {
    severity: 'error',
    group: 'interim',
    summary: 'a download under /OCInterim/ answered 404',
    remedy:
      'Create a virtual directory named OCInterim under both DeviceUpdateFiles_Int and DeviceUpdateFiles_Ext in IIS, pointing at the interim files.',
  },
  'download-forbidden-acl': {
    severity: 'error',
    group: 'download',
    summary: 'a firmware download was refused by IIS (500.19, or 401/403 other than 403.4)',
    remedy:
      'IIS cannot read the shared updates folder as the anonymous user: give the Everyone group read access on the share and its folder, then fetch the file URL from a browser to confirm.',
  },
  'ssl-required-on-files': {
    severity: 'error',
    group: 'download',
    summary: 'a plain-HTTP firmware download answered 403.4 (SSL required)',
    remedy:
      'Phones fetch firmware over plain HTTP: clear "Require SSL" in the SSL settings of the DeviceUpdateFiles_Int virtual directory (and its subfolders).',
  },
  'firmware-not-found': {
    severity: 'error',
    group: 'download',
    summary: 'the server answered 404 for a file it offered itself',
    remedy:
      'The version folder named in the URL is missing or incomplete: upload the .cab again and check that the folder for that version holds CPE.nbt and CPE.cat.',
  },
  'legacy-upx-path': {
    severity: 'error',
    group: 'request',
    summary: 'a check-in to /UCDeviceUpdates/ucdevice.upx got 404 or no answer',
    remedy:
      'Firmware 1.0.452.x checks in at /UCDeviceUpdates/: add a UCDeviceUpdates virtual directory in IIS that redirects to /RequestHandler, and unblock that version in the client version filter.',
  },
  'update-offered-not-downloaded': {
    severity: 'warning',
    group: 'download',
    summary: 'the server offered a file and the phone did not fetch it',
    remedy:
      'Open the offered URL from a machine on the phone\'s network: check that its host name resolves, that the scheme and port it names are reachable, and that the virtual directory does not require SSL.',
  },
  'no-update-offered': {
    severity: 'warning',
    group: 'response',
    summary: 'no download was offered though the inventory holds a newer applicable version',
    remedy:
      'Approve the newer version, or add the phone (by MAC or serial) as a test device so it receives pending versions.',
  },
  'response-diff': {
    severity: 'warning',
    group: 'response',
    summary: 'a response differs from the expected response',
  },
  'ucupdates-cname': {
    severity: 'error',
    group: 'dns',
    summary: 'the ucupdates-r2 (or ucupdates) DNS name is answered with a CNAME',
    remedy: 'Replace the CNAME with an A record pointing at the pool or server running the Device Update Service.',
  },
  'ucupdates-unresolved': {
    severity: 'error',
    group: 'dns',
    summary: 'the ucupdates-r2 (or ucupdates) DNS lookup got no address',
    remedy: 'Create an A record for ucupdates-r2.<domain> in the DNS domain the phones get from DHCP.',
  },
  'download-truncated': {
    severity: 'error',
    group: 'download',
    summary: 'a firmware download ended before its full length arrived',
    remedy: 'Look at the network path between phone and server (proxies, firewalls, MTU) and capture again.',
  },
  'unsupported-device': {
    severity: 'error',
    group: 'device',
    summary: 'the device is a Microsoft DV1, which no update (not even the interim build) supports',
    remedy: 'Replace the device with a supported model.',
  },
  'tls-undecryptable': {
    severity: 'info',
    group: 'tls',
    summary: 'an HTTPS check-in could not be decrypted',
    remedy: "Supply the server certificate's RSA private key or a TLS key log file so the check-in can be read.",
  },
  'dhcp-options-missing': {
    severity: 'warning',
    group: 'dhcp',
    summary: 'a DHCP offer or ack to a phone lacks an option Communicator Phone Edition needs',
    remedy:
      'Add the missing DHCP options for the phones: 43 with the UC provisioning data for vendor class MS-UC-Client, 120 (SIP server), 6 (DNS servers) and 15 (domain name).',
  },
  'check-in-failed': {
    severity: 'error',
    group: 'request',
    summary: 'a check-in got no response',
    remedy: 'Check that the Device Update Service web site is running and that nothing between phone and server blocks port 443.',
  },
  'http-error': {
    severity: 'warning',
    group: 'http',
    summary: 'a Device Update Service URL answered with an HTTP error',
  },
} as const satisfies Record<string, CatalogueEntry>;

/** A finding code: the keys of the catalogue. */
export type FindingCode = keyof typeof CATALOGUE;

/** The catalogue entry for a code. */
export function catalogueEntry(code: FindingCode): CatalogueEntry {
  return CATALOGUE[code];
}

/** Whether a string is a finding code (for --fail-on, filters and JSON readers). */
export function isFindingCode(s: string): s is FindingCode {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, s);
}

/** Sort key: 0 for error, 1 for warning, 2 for info. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
