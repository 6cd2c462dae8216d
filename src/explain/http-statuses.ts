// HTTP status codes (RFC 9110 section 15) and the IIS 7 substatus codes that
// IIS writes in its log (sc-substatus) and error pages, as a phone's check-in
// or firmware download meets them. Meanings are this project's own words;
// where a status maps to a finding of shared/protocol/findings.md, the entry
// names it.
import type { FindingCode } from '../diagnose/catalogue.js';

/** One status, or one status.substatus of IIS. */
export interface HttpStatusInfo {
  status: number;
  /** IIS substatus; absent for the plain status. */
  substatus?: number;
  reason: string;
  meaning: string;
  /** What it usually means for the Device Update Service. */
  forService?: string;
  /** The finding upxray raises for it on a firmware download, if any. */
  finding?: FindingCode;
}

type Row = [string, string, string, string?, FindingCode?];

const ROWS: readonly Row[] = [
  ['0', 'no status', 'no HTTP answer was recorded (the phone has not checked in yet, or never got an answer)', 'next to WinInet 0 it is the state of a phone that has not checked in since it started; otherwise look at the WinInet half'],
  ['100', 'Continue', 'the server is ready for the request body'],
  ['101', 'Switching Protocols', 'the connection changes protocol'],
  ['200', 'OK', 'the request succeeded', 'the check-in (or download) was answered normally; whether an update was offered is in the body, the audit log or a capture'],
  ['201', 'Created', 'a resource was created'],
  ['202', 'Accepted', 'the request was accepted for later processing'],
  ['204', 'No Content', 'success with an empty body', 'a check-in answered with no body gives the phone no ServerVersion: the handler is broken'],
  ['206', 'Partial Content', 'part of a file was sent, as a Range request asked', 'a phone resuming a firmware download'],
  ['301', 'Moved Permanently', 'the resource lives at another URL for good', 'a redirect on the update URLs; firmware 1.0.452.x relies on one from /UCDeviceUpdates/ to /RequestHandler/'],
  ['302', 'Found', 'the resource is temporarily at another URL', 'as 301: check where the redirect leads and whether the phone follows it'],
  ['303', 'See Other', 'fetch the answer from another URL with GET'],
  ['304', 'Not Modified', 'the cached copy is still current'],
  ['307', 'Temporary Redirect', 'repeat the request at another URL with the same method'],
  ['308', 'Permanent Redirect', 'repeat the request at another URL from now on, same method'],
  ['400', 'Bad Request', 'the server could not read the request', 'a phone building a bad URL, often after a locale/language change', 'bad-request-url'],
  ['401', 'Unauthorized', 'the request needs authentication', 'firmware and check-in URLs must allow anonymous access', 'download-forbidden-acl'],
  ['401.1', 'Logon failed', 'the credentials were refused', 'anonymous access is off or its account cannot log on', 'download-forbidden-acl'],
  ['401.2', 'Logon failed due to server configuration', 'no authentication method the client offered is enabled', 'enable anonymous authentication on the DeviceUpdateFiles virtual directories', 'download-forbidden-acl'],
  ['401.3', 'Unauthorized by an ACL on the resource', 'the file system refused the account IIS used', 'the anonymous account (or Everyone) cannot read the updates folder', 'download-forbidden-acl'],
  ['401.4', 'Authorization failed by a filter', 'an ISAPI filter refused the request', undefined, 'download-forbidden-acl'],
  ['401.5', 'Authorization failed by an ISAPI/CGI application', 'the application refused the request', undefined, 'download-forbidden-acl'],
  ['403', 'Forbidden', 'the server refuses the request', 'a firmware download refused by IIS', 'download-forbidden-acl'],
  ['403.1', 'Execute access forbidden', 'the folder does not allow running scripts or programs'],
  ['403.2', 'Read access forbidden', 'the folder does not allow reading', 'read permission is off on the DeviceUpdateFiles virtual directory', 'download-forbidden-acl'],
  ['403.3', 'Write access forbidden', 'the folder does not allow writing'],
  ['403.4', 'SSL required', 'the resource may only be fetched over HTTPS', 'DeviceUpdateFiles_Int requires SSL, but phones download firmware over plain HTTP', 'ssl-required-on-files'],
  ['403.5', 'SSL 128 required', 'the resource needs 128-bit TLS'],
  ['403.6', 'IP address rejected', 'the client address is blocked by an IP restriction', 'the phone subnet is not allowed on the site', 'download-forbidden-acl'],
  ['403.7', 'Client certificate required', 'the site demands a client certificate', 'set client certificates to Ignore on the update virtual directories', 'download-forbidden-acl'],
  ['403.8', 'Site access denied', 'a DNS-name restriction refused the client'],
  ['403.9', 'Too many users', 'the concurrent connection limit was reached'],
  ['403.10', 'Invalid configuration', 'the site configuration forbids the request'],
  ['403.11', 'Password change', 'the password change pages are refused'],
  ['403.12', 'Mapper denied access', 'the client certificate mapping refused the request'],
  ['403.13', 'Client certificate revoked', 'the client certificate was revoked'],
  ['403.14', 'Directory listing denied', 'a folder URL was asked for and listing is off', 'the phone (or a browser) asked for a folder, not a file: check the URL offered'],
  ['403.15', 'Client access licenses exceeded', 'too many clients'],
  ['403.16', 'Client certificate untrusted or invalid', 'the client certificate chain is not trusted'],
  ['403.17', 'Client certificate expired or not yet valid', 'the client certificate dates are wrong'],
  ['403.18', 'Cannot run the URL in this application pool', 'the URL belongs to another application pool'],
  ['403.19', 'Cannot run CGI for this client in this application pool', 'the pool identity may not run CGI'],
  ['403.20', 'Passport logon failed', 'a Passport logon failed'],
  ['403.21', 'Source access denied', 'WebDAV source access is refused'],
  ['403.22', 'Infinite depth denied', 'a WebDAV request with infinite depth is refused'],
  ['403.502', 'Too many requests from the same client IP', 'dynamic IP restrictions refused the client'],
  ['403.503', 'Rejected by IP address restriction', 'an IP restriction rule refused the client', 'the phone subnet is not allowed on the site', 'download-forbidden-acl'],
  ['404', 'Not Found', 'the server has nothing at this URL', 'a missing file, folder or virtual directory', 'firmware-not-found'],
  ['404.0', 'Not found', 'the file or folder does not exist', 'the offered version folder, the OCInterim virtual directory or the UCDeviceUpdates path is missing', 'firmware-not-found'],
  ['404.1', 'Site not found', 'no site is bound to this address, port or host name'],
  ['404.2', 'ISAPI or CGI restriction', 'the handler is not allowed to run', 'an ISAPI/CGI restriction blocks the request handler on a check-in'],
  ['404.3', 'MIME type restriction', 'IIS has no MIME type for the file extension and will not serve it', 'IIS serves .nbt and .cat only when a MIME type is mapped for them on the DeviceUpdateFiles virtual directories'],
  ['404.4', 'No handler configured', 'no handler is mapped for the request'],
  ['404.5', 'URL sequence denied', 'request filtering refused a sequence in the URL'],
  ['404.6', 'Verb denied', 'request filtering refused the method'],
  ['404.7', 'File extension denied', 'request filtering refused the file extension', 'request filtering blocks .nbt or .cat files'],
  ['404.8', 'Hidden namespace', 'request filtering hides this part of the URL (bin, App_Data...)'],
  ['404.9', 'File attribute hidden', 'the file has the hidden attribute'],
  ['404.10', 'Request header too long', 'a request header is over the request filtering limit'],
  ['404.11', 'Double escape sequence', 'the URL holds an escape that decodes to another escape', 'a phone URL with odd escapes, often after a locale change', 'bad-request-url'],
  ['404.12', 'High-bit characters', 'the URL holds non-ASCII bytes and they are not allowed', 'a phone URL with non-ASCII bytes, often after a locale change', 'bad-request-url'],
  ['404.13', 'Content length too large', 'the request body is over the request filtering limit'],
  ['404.14', 'URL too long', 'the URL is over the request filtering limit'],
  ['404.15', 'Query string too long', 'the query string is over the request filtering limit'],
  ['404.16', 'DAV request to the static file handler', 'a WebDAV request reached the static file handler'],
  ['404.17', 'Dynamic content mapped to the static file handler', 'a script was mapped to the static file handler'],
  ['404.18', 'Query string sequence denied', 'request filtering refused a sequence in the query string'],
  ['404.19', 'Denied by a filtering rule', 'a request filtering rule refused the request'],
  ['404.20', 'Too many URL segments', 'the URL has more segments than allowed'],
  ['405', 'Method Not Allowed', 'the URL does not accept this method', 'a POST to a folder that only serves files: the check-in went to the wrong path'],
  ['406', 'Not Acceptable', 'no representation matches the Accept headers'],
  ['408', 'Request Timeout', 'the client took too long to send its request'],
  ['411', 'Length Required', 'the request body needs a Content-Length'],
  ['412', 'Precondition Failed', 'a conditional header did not hold'],
  ['413', 'Content Too Large', 'the request body is too large'],
  ['414', 'URI Too Long', 'the URL is too long'],
  ['415', 'Unsupported Media Type', 'the body type is not accepted'],
  ['416', 'Range Not Satisfiable', 'the asked-for byte range is outside the file', 'a resumed download of a file that changed size'],
  ['500', 'Internal Server Error', 'the server failed while handling the request', 'on a check-in, the request handler failed; on a download, IIS could not serve the file'],
  ['500.0', 'Module or ISAPI error', 'a module or ISAPI extension failed'],
  ['500.11', 'Application is shutting down', 'the application is stopping'],
  ['500.12', 'Application is restarting', 'the application is busy restarting'],
  ['500.13', 'Web server is too busy', 'the request queue is full'],
  ['500.15', 'Direct requests for Global.asax are not allowed', 'Global.asax cannot be fetched'],
  ['500.19', 'Configuration data is invalid', 'IIS could not read or parse the configuration (web.config) for the URL', 'on the firmware URLs, IIS cannot read the web.config of the shared updates folder: a permission problem (Win32 status 5 in the log), fixed by giving Everyone read', 'download-forbidden-acl'],
  ['500.21', 'Module not recognized', 'a configured module is not installed'],
  ['500.22', 'httpModules configuration does not apply in integrated mode', 'an ASP.NET setting does not fit the pipeline mode'],
  ['500.23', 'httpHandlers configuration does not apply in integrated mode', 'an ASP.NET setting does not fit the pipeline mode'],
  ['500.24', 'Impersonation configuration does not apply in integrated mode', 'an ASP.NET setting does not fit the pipeline mode'],
  ['500.50', 'Rewrite error at the start of the request', 'a URL rewrite rule failed'],
  ['500.51', 'Rewrite error in a global rule', 'a global URL rewrite rule failed'],
  ['500.52', 'Rewrite error on the response', 'an outbound rewrite rule failed'],
  ['500.53', 'Rewrite error while releasing the request', 'a URL rewrite rule failed late in the request'],
  ['500.100', 'Internal ASP error', 'an ASP page failed'],
  ['501', 'Not Implemented', 'the server does not support the method'],
  ['502', 'Bad Gateway', 'a gateway or proxy got a bad answer from the server behind it', 'a load balancer or reverse proxy in front of the Web Components server'],
  ['502.1', 'CGI application timeout', 'a CGI application took too long'],
  ['502.2', 'Bad gateway', 'a CGI application sent a bad answer'],
  ['502.3', 'Bad gateway: forwarder connection error', 'Application Request Routing could not reach the server behind it'],
  ['502.4', 'Bad gateway: no server', 'Application Request Routing found no server to forward to'],
  ['503', 'Service Unavailable', 'the server cannot handle the request now', 'the application pool of the Web Components site is stopped or overloaded'],
  ['503.0', 'Application pool unavailable', 'the application pool is stopped or disabled', 'start the Web Components application pool and check why it stopped (its identity\'s password, rapid-fail protection)'],
  ['503.2', 'Concurrent request limit exceeded', 'too many requests at once'],
  ['503.3', 'ASP.NET queue full', 'the ASP.NET request queue is full'],
  ['503.4', 'FastCGI queue full', 'the FastCGI queue is full'],
  ['504', 'Gateway Timeout', 'a gateway or proxy timed out waiting for the server behind it'],
  ['505', 'HTTP Version Not Supported', 'the HTTP version is not supported'],
];

function key(status: number, substatus?: number): string {
  return substatus === undefined ? String(status) : `${status}.${substatus}`;
}

/** Every status and IIS substatus in the table, in table order. */
export const HTTP_STATUSES: readonly HttpStatusInfo[] = ROWS.map(([k, reason, meaning, forService, finding]) => {
  const [s, sub] = k.split('.');
  const info: HttpStatusInfo = { status: Number(s), reason, meaning };
  if (sub !== undefined) info.substatus = Number(sub);
  if (forService !== undefined) info.forService = forService;
  if (finding !== undefined) info.finding = finding;
  return info;
});

const BY_KEY = new Map(HTTP_STATUSES.map((h) => [key(h.status, h.substatus), h]));

/** The entry for a status (and IIS substatus), if the table has it. */
export function httpStatus(status: number, substatus?: number): HttpStatusInfo | undefined {
  return BY_KEY.get(key(status, substatus));
}

/** The reason-phrase class of a status no row names: 2xx success, 4xx client error... */
export function statusClass(status: number): string | undefined {
  if (status >= 100 && status < 200) return 'informational';
  if (status >= 200 && status < 300) return 'success';
  if (status >= 300 && status < 400) return 'redirection';
  if (status >= 400 && status < 500) return 'client error';
  if (status >= 500 && status < 600) return 'server error';
  return undefined;
}
