// The WinInet error codes (wininet.h, INTERNET_ERROR_BASE = 12000) that the
// phone shows as the first half of its "Last Update Status"
// (shared/protocol/ucdevice-upx.md section 7). Names and numbers are those of
// the Windows SDK header; the meanings are this project's own one-liners.
// The codes this service meets carry what they usually mean for a phone's
// update check and what to look at.

/** One WinInet error code. */
export interface WinInetError {
  code: number;
  /** The wininet.h name. */
  name: string;
  /** Other names the header gives the same number. */
  aliases?: readonly string[];
  /** What the code means, in one line. */
  meaning: string;
  /** What it usually means when a phone's update check ends with it. */
  forPhone?: string;
  /** What to check. */
  check?: string;
}

type Row = [number, string, string] | [number, string, string, { forPhone: string; check: string; aliases?: string[] }];

// Security-related codes share advice: the phone checks the server's TLS certificate.
const CERT_CHECK =
  'Open https://<pool FQDN>/RequestHandler/ucdevice.upx from a PC and inspect the certificate: names, validity dates, issuing CA, revocation list; compare with what the phone trusts.';

const ROWS: readonly Row[] = [
  [12001, 'ERROR_INTERNET_OUT_OF_HANDLES', 'no more internal handles could be allocated'],
  [12002, 'ERROR_INTERNET_TIMEOUT', 'the request timed out', {
    forPhone: 'the phone reached no answer in time: the server, or something on the way, accepted or dropped the connection and never replied',
    check: 'that the Web Components site answers on port 443 (and 80 for downloads), that no firewall silently drops the traffic, and the IIS log for the check-in',
  }],
  [12003, 'ERROR_INTERNET_EXTENDED_ERROR', 'the server sent extended error text (an FTP or Gopher reply)'],
  [12004, 'ERROR_INTERNET_INTERNAL_ERROR', 'an internal WinInet error'],
  [12005, 'ERROR_INTERNET_INVALID_URL', 'the URL is not valid', {
    forPhone: 'the update URL the phone was given or built is malformed',
    check: 'the internal and external update URLs configured for the Device Update Service, and the locale setting on the phone',
  }],
  [12006, 'ERROR_INTERNET_UNRECOGNIZED_SCHEME', 'the URL scheme is not one WinInet knows'],
  [12007, 'ERROR_INTERNET_NAME_NOT_RESOLVED', 'the server name could not be resolved', {
    forPhone: 'the phone could not turn the update server name into an address',
    check: 'the DNS servers and domain the phone gets from DHCP (options 6 and 15), and that ucupdates-r2.<domain> and the pool FQDN are A records, not CNAMEs',
  }],
  [12008, 'ERROR_INTERNET_PROTOCOL_NOT_FOUND', 'the requested protocol could not be found'],
  [12009, 'ERROR_INTERNET_INVALID_OPTION', 'an option code is not valid'],
  [12010, 'ERROR_INTERNET_BAD_OPTION_LENGTH', 'an option value has the wrong length'],
  [12011, 'ERROR_INTERNET_OPTION_NOT_SETTABLE', 'the option can only be read, not set'],
  [12012, 'ERROR_INTERNET_SHUTDOWN', 'WinInet support is shutting down or unloaded'],
  [12013, 'ERROR_INTERNET_INCORRECT_USER_NAME', 'the user name was not accepted'],
  [12014, 'ERROR_INTERNET_INCORRECT_PASSWORD', 'the password was not accepted'],
  [12015, 'ERROR_INTERNET_LOGIN_FAILURE', 'the login was refused'],
  [12016, 'ERROR_INTERNET_INVALID_OPERATION', 'the operation is not valid here'],
  [12017, 'ERROR_INTERNET_OPERATION_CANCELLED', 'the operation was cancelled, usually because its handle was closed first'],
  [12018, 'ERROR_INTERNET_INCORRECT_HANDLE_TYPE', 'the handle is of the wrong type for this operation'],
  [12019, 'ERROR_INTERNET_INCORRECT_HANDLE_STATE', 'the handle is not in a state that allows this operation'],
  [12020, 'ERROR_INTERNET_NOT_PROXY_REQUEST', 'the request cannot go through a proxy'],
  [12021, 'ERROR_INTERNET_REGISTRY_VALUE_NOT_FOUND', 'a needed registry value is missing'],
  [12022, 'ERROR_INTERNET_BAD_REGISTRY_PARAMETER', 'a needed registry value has a bad type or content'],
  [12023, 'ERROR_INTERNET_NO_DIRECT_ACCESS', 'direct network access is not possible'],
  [12024, 'ERROR_INTERNET_NO_CONTEXT', 'an asynchronous request was made with no context value'],
  [12025, 'ERROR_INTERNET_NO_CALLBACK', 'an asynchronous request was made with no status callback'],
  [12026, 'ERROR_INTERNET_REQUEST_PENDING', 'a required operation has not finished yet'],
  [12027, 'ERROR_INTERNET_INCORRECT_FORMAT', 'the format of the request is wrong'],
  [12028, 'ERROR_INTERNET_ITEM_NOT_FOUND', 'the requested item does not exist'],
  [12029, 'ERROR_INTERNET_CANNOT_CONNECT', 'the connection to the server could not be made', {
    forPhone: 'the phone could not open a TCP connection to the update server: nothing listens there, or a firewall refuses it',
    check: 'that the name in the update URL points at the Web Components server or its load balancer, that the site is bound to port 443 (80 for downloads), and firewalls between the phone VLAN and the server',
  }],
  [12030, 'ERROR_INTERNET_CONNECTION_ABORTED', 'the server, or something between, ended the connection', {
    forPhone: 'the connection opened but was closed before the answer arrived',
    check: 'load balancers, proxies and IPS devices on the path, and whether the IIS log shows the request at all',
  }],
  [12031, 'ERROR_INTERNET_CONNECTION_RESET', 'the connection was reset', {
    forPhone: 'the server or a middle box answered with a reset, often during the TLS handshake',
    check: 'the certificate binding of the site on port 443, TLS protocol settings on the server, and firewalls that reset connections',
  }],
  [12032, 'ERROR_INTERNET_FORCE_RETRY', 'WinInet asks for the request to be sent again'],
  [12033, 'ERROR_INTERNET_INVALID_PROXY_REQUEST', 'the request to the proxy was not valid'],
  [12034, 'ERROR_INTERNET_NEED_UI', 'user interaction is needed, but the call may not show any'],
  [12036, 'ERROR_INTERNET_HANDLE_EXISTS', 'the handle already exists'],
  [12037, 'ERROR_INTERNET_SEC_CERT_DATE_INVALID', "the server certificate is expired or not yet valid", {
    forPhone: "the phone rejected the server certificate's dates: the certificate has expired, or the phone's clock is wrong",
    check: `the certificate's validity dates, and the time the phone gets (SNTP / DHCP option 42). ${CERT_CHECK}`,
  }],
  [12038, 'ERROR_INTERNET_SEC_CERT_CN_INVALID', 'the certificate name does not match the host name', {
    forPhone: 'the host name in the update URL is not among the names of the server certificate',
    check: `that the certificate's subject or subject alternative names include the FQDN in the update URL (and ucupdates-r2.<domain> where used). ${CERT_CHECK}`,
  }],
  [12039, 'ERROR_INTERNET_HTTP_TO_HTTPS_ON_REDIR', 'a redirect leads from HTTP to HTTPS'],
  [12040, 'ERROR_INTERNET_HTTPS_TO_HTTP_ON_REDIR', 'a redirect leads from HTTPS to HTTP'],
  [12041, 'ERROR_INTERNET_MIXED_SECURITY', 'some of the content is not secured'],
  [12042, 'ERROR_INTERNET_CHG_POST_IS_NON_SECURE', 'data would be posted to a server that is not secure'],
  [12043, 'ERROR_INTERNET_POST_IS_NON_SECURE', 'data would be posted over an unsecured connection'],
  [12044, 'ERROR_INTERNET_CLIENT_AUTH_CERT_NEEDED', 'the server asks for a client certificate', {
    forPhone: 'the update site asked the phone for a client certificate, which it does not have',
    check: 'the SSL settings of the RequestHandler virtual directories in IIS: client certificates must be ignored',
  }],
  [12045, 'ERROR_INTERNET_INVALID_CA', 'the certificate was issued by an authority that is not trusted', {
    forPhone: 'the phone does not trust the CA that issued the server certificate',
    check: `that the issuing root CA is one the phone trusts (published for the phones, or a public CA they know), and that the server sends the whole chain. ${CERT_CHECK}`,
  }],
  [12046, 'ERROR_INTERNET_CLIENT_AUTH_NOT_SETUP', 'client authentication is not set up on this computer'],
  [12047, 'ERROR_INTERNET_ASYNC_THREAD_FAILED', 'the worker thread for asynchronous calls could not start'],
  [12048, 'ERROR_INTERNET_REDIRECT_SCHEME_CHANGE', 'a redirect changes the scheme (for example HTTP to FTP)'],
  [12049, 'ERROR_INTERNET_DIALOG_PENDING', 'another thread has a password dialog open'],
  [12050, 'ERROR_INTERNET_RETRY_DIALOG', 'the dialog should be shown again'],
  [12051, 'ERROR_INTERNET_NO_NEW_CONTAINERS', 'no new cache containers can be made'],
  [12052, 'ERROR_INTERNET_HTTPS_HTTP_SUBMIT_REDIR', 'a form submitted over HTTPS is being redirected to HTTP'],
  [12053, 'ERROR_INTERNET_INSERT_CDROM', 'the right CD-ROM must be inserted'],
  [12054, 'ERROR_INTERNET_FORTEZZA_LOGIN_NEEDED', 'a Fortezza card login is needed'],
  [12055, 'ERROR_INTERNET_SEC_CERT_ERRORS', 'the server certificate has errors', {
    forPhone: 'the phone found one or more faults in the server certificate',
    check: CERT_CHECK,
  }],
  [12056, 'ERROR_INTERNET_SEC_CERT_NO_REV', 'the certificate has no revocation information', {
    forPhone: 'the server certificate names no place to check whether it was revoked',
    check: `that the certificate carries a CRL distribution point the phone can reach. ${CERT_CHECK}`,
  }],
  [12057, 'ERROR_INTERNET_SEC_CERT_REV_FAILED', 'checking whether the certificate was revoked failed', {
    forPhone: 'the phone could not fetch the revocation list for the server certificate',
    check: 'that the CRL distribution point in the certificate is an HTTP URL the phone can resolve and reach without a proxy, and that the list is current',
  }],
  [12058, 'ERROR_INTERNET_SOURCE_PORT_IN_USE', 'the local source port is already in use'],
  [12059, 'ERROR_INTERNET_INSECURE_FALLBACK_REQUIRED', 'the connection would have to fall back to a weaker TLS version'],
  [12060, 'ERROR_HTTP_HSTS_REDIRECT_REQUIRED', 'the host requires HTTPS (HSTS), so the request must be redirected'],
  [12061, 'ERROR_INTERNET_PROXY_ALERT', 'the proxy reported a problem'],
  [12062, 'ERROR_INTERNET_SEC_CERT_WEAK_SIGNATURE', 'the certificate is signed with a weak algorithm'],
  [12080, 'ERROR_INTERNET_NO_CM_CONNECTION', 'no connection-manager connection is available'],
  [12110, 'ERROR_FTP_TRANSFER_IN_PROGRESS', 'an FTP transfer is already running on this session'],
  [12111, 'ERROR_FTP_DROPPED', 'the FTP session ended'],
  [12112, 'ERROR_FTP_NO_PASSIVE_MODE', 'the FTP server does not offer passive mode'],
  [12130, 'ERROR_GOPHER_PROTOCOL_ERROR', 'the Gopher server broke the protocol'],
  [12131, 'ERROR_GOPHER_NOT_FILE', 'the Gopher locator is not a file'],
  [12132, 'ERROR_GOPHER_DATA_ERROR', 'the Gopher data could not be read'],
  [12133, 'ERROR_GOPHER_END_OF_DATA', 'the end of the Gopher data was reached'],
  [12134, 'ERROR_GOPHER_INVALID_LOCATOR', 'the Gopher locator is not valid'],
  [12135, 'ERROR_GOPHER_INCORRECT_LOCATOR_TYPE', 'the Gopher locator is of the wrong type'],
  [12136, 'ERROR_GOPHER_NOT_GOPHER_PLUS', 'the server is not a Gopher+ server'],
  [12137, 'ERROR_GOPHER_ATTRIBUTE_NOT_FOUND', 'the Gopher attribute was not found'],
  [12138, 'ERROR_GOPHER_UNKNOWN_LOCATOR', 'the Gopher locator type is unknown'],
  [12147, 'ERROR_HTTP_PUSH_STATUS_CODE_NOT_SUPPORTED', 'the pushed response has a status code that is not supported'],
  [12148, 'ERROR_HTTP_PUSH_RETRY_NOT_SUPPORTED', 'a pushed request cannot be retried'],
  [12149, 'ERROR_HTTP_PUSH_ENABLE_FAILED', 'server push could not be turned on'],
  [12150, 'ERROR_HTTP_HEADER_NOT_FOUND', 'the asked-for header is not in the response'],
  [12151, 'ERROR_HTTP_DOWNLEVEL_SERVER', 'the server sent no headers (an HTTP/0.9 answer)'],
  [12152, 'ERROR_HTTP_INVALID_SERVER_RESPONSE', 'the server answer could not be read as HTTP', {
    forPhone: 'something answered the phone, but not with HTTP the phone could parse',
    check: 'what listens on the port in the update URL (a non-HTTP service, a proxy or load balancer rewriting the answer)',
  }],
  [12153, 'ERROR_HTTP_INVALID_HEADER', 'a header is not valid'],
  [12154, 'ERROR_HTTP_INVALID_QUERY_REQUEST', 'the header query is not valid'],
  [12155, 'ERROR_HTTP_HEADER_ALREADY_EXISTS', 'the header exists and was not replaced'],
  [12156, 'ERROR_HTTP_REDIRECT_FAILED', 'following a redirect failed (scheme change or too many)'],
  [12157, 'ERROR_INTERNET_SECURITY_CHANNEL_ERROR', 'the secure channel (SSL/TLS) could not be set up', {
    forPhone: 'the TLS handshake between phone and server failed: no protocol version or cipher both support, or a certificate key the phone cannot use',
    check: `the TLS versions and cipher suites enabled on the server (these phones are old: TLS 1.0 with RSA ciphers), the certificate's key size and signature algorithm, and the certificate bound to port 443. ${CERT_CHECK}`,
  }],
  [12158, 'ERROR_INTERNET_UNABLE_TO_CACHE_FILE', 'the file could not be written to the cache'],
  [12159, 'ERROR_INTERNET_TCPIP_NOT_INSTALLED', 'TCP/IP is not installed'],
  [12160, 'ERROR_HTTP_NOT_REDIRECTED', 'the request was not redirected'],
  [12161, 'ERROR_HTTP_COOKIE_NEEDS_CONFIRMATION', 'a cookie needs the user to confirm it'],
  [12162, 'ERROR_HTTP_COOKIE_DECLINED', 'a cookie was refused'],
  [12163, 'ERROR_INTERNET_DISCONNECTED', 'there is no network connection', {
    aliases: ['ERROR_INTERNET_OFFLINE'],
    forPhone: 'the phone had no network connection when it tried to check in',
    check: 'the phone\'s link and its DHCP lease',
  }],
  [12164, 'ERROR_INTERNET_SERVER_UNREACHABLE', 'the server cannot be reached'],
  [12165, 'ERROR_INTERNET_PROXY_SERVER_UNREACHABLE', 'the proxy server cannot be reached'],
  [12166, 'ERROR_INTERNET_BAD_AUTO_PROXY_SCRIPT', 'the automatic proxy script has an error'],
  [12167, 'ERROR_INTERNET_UNABLE_TO_DOWNLOAD_SCRIPT', 'the automatic proxy script could not be downloaded'],
  [12168, 'ERROR_HTTP_REDIRECT_NEEDS_CONFIRMATION', 'the redirect needs the user to confirm it'],
  [12169, 'ERROR_INTERNET_SEC_INVALID_CERT', 'the server certificate is not valid', {
    forPhone: 'the phone rejected the server certificate',
    check: CERT_CHECK,
  }],
  [12170, 'ERROR_INTERNET_SEC_CERT_REVOKED', 'the server certificate has been revoked', {
    forPhone: 'the revocation list says the server certificate was revoked',
    check: `that the certificate bound to the site is the current one. ${CERT_CHECK}`,
  }],
  [12171, 'ERROR_INTERNET_FAILED_DUETOSECURITYCHECK', 'a security check refused the operation'],
  [12172, 'ERROR_INTERNET_NOT_INITIALIZED', 'WinInet has not been initialised'],
  [12173, 'ERROR_INTERNET_NEED_MSN_SSPI_PKG', 'the MSN authentication package is needed'],
  [12174, 'ERROR_INTERNET_LOGIN_FAILURE_DISPLAY_ENTITY_BODY', 'the login failed and the server sent a page to show'],
  [12175, 'ERROR_INTERNET_DECODING_FAILED', 'the content could not be decoded (decompressed)', {
    forPhone:
      'WinInet uses this number when it cannot decode a compressed body; WinHTTP uses the same number for a failed certificate check (ERROR_WINHTTP_SECURE_FAILURE), so on a check-in it can be either',
    check: `that IIS compression is not applied to ucdevice.upx answers, then the certificate as for the other certificate errors. ${CERT_CHECK}`,
  }],
  [12187, 'ERROR_INTERNET_CLIENT_AUTH_CERT_NEEDED_PROXY', 'the proxy asks for a client certificate'],
  [12188, 'ERROR_INTERNET_SECURE_FAILURE_PROXY', 'the secure connection to the proxy failed'],
  [12189, 'ERROR_INTERNET_DISALLOW_INPRIVATE', 'the operation is not allowed in an InPrivate session'],
  [12190, 'ERROR_INTERNET_HTTP_PROTOCOL_MISMATCH', 'the HTTP protocol version negotiated does not match'],
  [12191, 'ERROR_INTERNET_GLOBAL_CALLBACK_FAILED', 'the global callback failed'],
  [12192, 'ERROR_INTERNET_FEATURE_DISABLED', 'the feature is turned off'],
  [12901, 'ERROR_INTERNET_INTERNAL_SOCKET_ERROR', 'an internal socket error'],
  [12902, 'ERROR_INTERNET_CONNECTION_AVAILABLE', 'a connection is available (a status, not a failure)'],
  [12903, 'ERROR_INTERNET_NO_KNOWN_SERVERS', 'no servers are known'],
  [12904, 'ERROR_INTERNET_PING_FAILED', 'the ping failed'],
  [12905, 'ERROR_INTERNET_NO_PING_SUPPORT', 'ping is not supported'],
  [12906, 'ERROR_INTERNET_CACHE_SUCCESS', 'the cache operation succeeded (a status, not a failure)'],
  [12907, 'ERROR_HTTP_COOKIE_NEEDS_CONFIRMATION_EX', 'a cookie needs the user to confirm it (extended)'],
];

/** Every WinInet error code the Windows SDK defines, in code order. */
export const WININET_ERRORS: readonly WinInetError[] = ROWS.map((r) => {
  const e: WinInetError = { code: r[0], name: r[1], meaning: r[2] };
  if (r.length === 4) {
    e.forPhone = r[3].forPhone;
    e.check = r[3].check;
    if (r[3].aliases) e.aliases = r[3].aliases;
  }
  return e;
});

/**
 * The numbers wininet.h assigns, as inclusive ranges (12035 and the numbers
 * between the groups are unassigned; 12176-12186 are WinHTTP-only).
 */
export const WININET_RANGES: ReadonlyArray<readonly [number, number]> = [
  [12001, 12034],
  [12036, 12062],
  [12080, 12080],
  [12110, 12112],
  [12130, 12138],
  [12147, 12175],
  [12187, 12192],
  [12901, 12907],
];

const BY_CODE = new Map(WININET_ERRORS.map((e) => [e.code, e]));

/** The table entry for a code, if WinInet defines it. */
export function wininetError(code: number): WinInetError | undefined {
  return BY_CODE.get(code);
}
