// The reference Device Update Service's answers: a check-in is decoded with
// upxray's own codec and answered by the section-5 engine (src/dus/expected.ts);
// a download is served from the inventory's tree. Fault switches bend exactly
// one behaviour each. This module decides; server.ts moves the bytes.
import { classify, targetPath } from '../dus/exchange-kind.js';
import { decide, responseFor, type Decision, type Handler } from '../dus/expected.js';
import type { Inventory } from '../dus/inventory.js';
import { decodeUpx } from '../dus/upx-codec.js';
import { encodeUpxResponse } from '../dus/upx-encode.js';
import type { UpxRequest } from '../dus/upx-types.js';
import { compareVersions, isNoVersion } from '../dus/version.js';
import type { FaultName } from './faults.js';
import { downloadSegments, lookupFile, type ServedFile } from './files.js';
import { page403_4, page404_0, page500_19, pagePlain } from './iis-pages.js';

/** The answer to one request. */
export interface Answer {
  status: number;
  headers: Array<[string, string]>;
  body?: Uint8Array;
  file?: ServedFile;
  /** `hang`: never answer; `reset`: send part of the body, then reset the connection. */
  mode?: 'hang' | 'reset';
  /** A word for the request log (the decision, or the fault that fired). */
  note?: string;
}

export interface ServiceOptions {
  inventory: Inventory;
  faults?: ReadonlySet<FaultName>;
  /** Answer a phone's first no-version check-in with nothing (in-band provisioning). */
  provisioning?: boolean;
}

export interface RequestInfo {
  method: string;
  target: string;
  body: Uint8Array;
  /** Came over TLS. */
  secure: boolean;
  /** Host for the URLs written in answers when the inventory names no server (`host:port` of the HTTP listener). */
  filesHost: string;
}

const IIS: Array<[string, string]> = [
  ['Server', 'Microsoft-IIS/7.0'],
  ['X-Powered-By', 'ASP.NET'],
];

function html(status: number, page: string, note?: string): Answer {
  return { status, headers: [['Content-Type', 'text/html'], ...IIS], body: Buffer.from(page, 'latin1'), ...(note ? { note } : {}) };
}

/** Another locale's newest build for the same device, for the other-locale fault. */
function otherLocaleOffer(inv: Inventory, req: UpxRequest, d: Decision, handler: Handler): Decision {
  const same = (a?: string, b?: string) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
  let best;
  for (const u of inv.updates) {
    if (!same(u.vendor, req.vendor) || !same(u.model, req.model) || !same(u.revision, req.revision) || same(u.locale, req.locale)) continue;
    if (u.state !== 'approved' && !d.testDevice) continue;
    if (!best || compareVersions(u.version, best.version) > 0) best = u;
  }
  if (!best || (d.current !== undefined && compareVersions(best.version, d.current) <= 0)) return d;
  const pretend = { ...req, locale: best.locale };
  return decide(pretend, inv, { handler });
}

export class ReferenceService {
  private readonly faults: ReadonlySet<FaultName>;
  private readonly provisioned = new Set<string>();

  constructor(private readonly opts: ServiceOptions) {
    this.faults = opts.faults ?? new Set();
  }

  private has(f: FaultName): boolean {
    return this.faults.has(f);
  }

  /** Answer one request. */
  answer(r: RequestInfo): Answer {
    const cls = classify(r.method, r.target);
    const path = targetPath(r.target);
    const url = `http://${this.opts.inventory.server ?? r.filesHost}${path}`;
    if (cls.kind === 'check-in') {
      if (cls.handler === 'legacy' && this.has('legacy-404')) return html(404, page404_0(url), 'legacy-404');
      if (r.method !== 'POST') return html(405, pagePlain(405));
      if (this.has('no-answer')) return { status: 0, headers: [], mode: 'hang', note: 'no-answer' };
      return this.checkIn(r, cls.handler!);
    }
    const dl = downloadSegments(path);
    if (dl && (r.method === 'GET' || r.method === 'HEAD')) return this.download(r, dl.segments, url);
    return html(404, page404_0(url));
  }

  private checkIn(r: RequestInfo, handler: Handler): Answer {
    const decoded = decodeUpx(r.body, { kind: 'request' });
    if (!decoded.ok) return html(400, pagePlain(400), `bad request body: ${decoded.error.code}`);
    const req = decoded.value;
    const inv = this.opts.inventory.server === undefined ? { ...this.opts.inventory, server: r.filesHost } : this.opts.inventory;
    // wrong-area: URLs as if the check-in came through the other handler.
    const urlHandler: Handler = this.has('wrong-area') ? (handler === 'external' ? 'internal' : 'external') : handler;
    let d = decide(req, inv, { handler: urlHandler });
    let note: string = d.reason;
    const cpe = req.files.find((f) => /\.nbt$/i.test(f.fileName ?? ''))?.version ?? req.files[0]?.version;
    if (this.opts.provisioning && d.reason === 'interim' && isNoVersion(cpe)) {
      const key = req.macAddress?.normalized ?? req.serialNumber ?? '';
      if (!this.provisioned.has(key)) {
        this.provisioned.add(key);
        d = decide(req, inv, { handler: urlHandler, provisioning: true });
        note = d.reason;
      }
    }
    if (this.has('skip-interim') && d.reason === 'interim') {
      // As if the phone were already past the threshold.
      const past = { ...req, files: [{ fileName: 'cpe.nbt', version: '1.0.522.98' }] };
      const skip = decide(past, inv, { handler: urlHandler });
      d = { ...skip, current: d.current };
      note = `skip-interim:${skip.reason}`;
    }
    if (this.has('other-locale') && d.reason === 'locale-missing') {
      d = otherLocaleOffer(inv, req, d, urlHandler);
      note = `other-locale:${d.reason}`;
    }
    if (this.has('no-offer') && (d.reason === 'approved-update' || d.reason === 'test-device-update')) {
      d = { ...d, offers: [] };
      note = `no-offer:${note}`;
    }
    const res = responseFor(inv, d);
    if (this.has('no-server-version')) delete res.serverVersion;
    if (this.has('no-service-version')) delete res.serviceVersion;
    const body = Buffer.from(encodeUpxResponse(res, { newline: '\r\n' }), 'utf8');
    return {
      status: 200,
      headers: [['Cache-Control', 'private'], ['Content-Type', 'text/xml; charset=utf-8'], ...IIS, ['X-AspNet-Version', '2.0.50727']],
      body,
      note: `${note}${d.offers.length > 0 ? ` -> ${d.offers.map((o) => o.version).join(',')}` : ''}`,
    };
  }

  private download(r: RequestInfo, segments: string[], url: string): Answer {
    const interim = segments[0].toLowerCase() === 'ocinterim';
    if (this.has('acl-500-19')) return html(500, page500_19(url), 'acl-500-19');
    if (this.has('ssl-403-4') && !r.secure) return html(403, page403_4(url), 'ssl-403-4');
    if (this.has('interim-404') && interim) return html(404, page404_0(url), 'interim-404');
    if (this.has('file-404') && segments[0].toLowerCase() === 'ucphone') return html(404, page404_0(url), 'file-404');
    const file = lookupFile(this.opts.inventory, segments);
    if (!file) return html(404, page404_0(url));
    const cat = /\.cat$/i.test(segments[segments.length - 1]);
    const answer: Answer = {
      status: 200,
      headers: [['Content-Type', cat ? 'application/vnd.ms-pki.seccat' : 'application/octet-stream'], ['Accept-Ranges', 'bytes'], ...IIS],
      file,
    };
    if (this.has('reset') && !cat) {
      answer.mode = 'reset';
      answer.note = 'reset';
    }
    return answer;
  }
}
