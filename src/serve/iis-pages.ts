// Error pages as IIS 7 and HTTP.sys write them, so a capture of `upxray serve`
// shows the status and substatus where real ones do (in the page title and the
// "HTTP Error N.S" heading; ucdevice-upx.md section 6): upxray's rules read
// 500.19 and 403.4 from there.

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
};

/** The reason phrase of a status IIS uses. */
export function reasonOf(status: number): string {
  return REASONS[status] ?? 'Error';
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function detailed(status: number, sub: number, summary: string, rows: Array<[string, string]>): string {
  const code = `${status}.${sub}`;
  const reason = reasonOf(status);
  const trs = rows.map(([k, v]) => `    <tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join('\r\n');
  return [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    '<html xmlns="http://www.w3.org/1999/xhtml">',
    '<head>',
    '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>',
    `<title>IIS 7.0 Detailed Error - ${code} - ${reason}</title>`,
    '</head>',
    '<body>',
    '<div id="content">',
    ' <fieldset><legend>Error Summary</legend>',
    `  <h2>HTTP Error ${code} - ${reason}</h2>`,
    `  <h3>${summary}</h3>`,
    ' </fieldset>',
    ' <fieldset><legend>Detailed Error Information</legend>',
    '  <table border="0" cellpadding="0" cellspacing="0">',
    trs,
    '  </table>',
    ' </fieldset>',
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\r\n');
}

/** 500.19: IIS cannot read the configuration of the shared updates folder (permissions). */
export function page500_19(url: string): string {
  return detailed(500, 19, 'The requested page cannot be accessed because the related configuration data for the page is invalid.', [
    ['Module', 'IIS Web Core'],
    ['Error Code', '0x80070005'],
    ['Config Error', 'Cannot read configuration file due to insufficient permissions'],
    ['Requested URL', url],
  ]);
}

/** 403.4: the virtual directory requires SSL and the request came over plain HTTP. */
export function page403_4(url: string): string {
  return detailed(403, 4, 'The page you are trying to access is secured with Secure Sockets Layer (SSL).', [
    ['Module', 'IIS Web Core'],
    ['Error Code', '0x80070005'],
    ['Requested URL', url],
  ]);
}

/** 404.0: no such file or virtual directory. */
export function page404_0(url: string): string {
  return detailed(404, 0, 'The resource you are looking for has been removed, had its name changed, or is temporarily unavailable.', [
    ['Module', 'IIS Web Core'],
    ['Error Code', '0x80070002'],
    ['Requested URL', url],
  ]);
}

/** A short page for other statuses (405, 413). */
export function pagePlain(status: number): string {
  return `<html><head><title>${status} - ${reasonOf(status)}</title></head><body><h2>${status} - ${reasonOf(status)}</h2></body></html>\r\n`;
}

/** HTTP.sys's answer to a request line it cannot parse; it closes the connection after it. */
export function httpSysBadRequest(): string {
  return (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
    '<HTML><HEAD><TITLE>Bad Request</TITLE>\r\n' +
    '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
    '<BODY><h2>Bad Request - Invalid URL</h2>\r\n<hr><p>HTTP Error 400. The request URL is invalid.</p>\r\n</BODY></HTML>\r\n'
  );
}
