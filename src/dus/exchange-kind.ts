// Which Device Update Service exchange an HTTP request is, from its method and
// path (shared/protocol/ucdevice-upx.md section 1): a check-in POSTed to one of
// the three handler paths, a firmware download under DeviceUpdateFiles_Int or
// _Ext (OCInterim included), or anything else.
import { TwoKeyMemo } from '../util/two-key-memo.js';

export type DusKind = 'check-in' | 'download' | 'other';

export interface DusClassification {
  kind: DusKind;
  /** Check-ins: which handler path: RequestHandler, RequestHandlerExt, or the 1.0.452.x UCDeviceUpdates. */
  handler?: 'internal' | 'external' | 'legacy';
  /** Downloads: which tree. */
  area?: 'internal' | 'external';
  /** Downloads: under OCInterim/. */
  interim?: boolean;
  /** Downloads: the path's parts, where the URL follows the usual layout. */
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  version?: string;
  /** Downloads: the file name (`CPE.nbt`). */
  fileName?: string;
}

/** The path of a request target: absolute-form reduced to its path, query and fragment dropped, %-escapes decoded. */
export function targetPath(uri: string): string {
  let path = uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const HANDLERS: Record<string, DusClassification['handler']> = {
  requesthandler: 'internal',
  requesthandlerext: 'external',
  ucdeviceupdates: 'legacy',
};

/** Most (method, target) pairs remembered; past this the memo starts over. */
const MEMO_ENTRIES = 4096;
/** Classifications by method, then target: a capture repeats a few targets thousands of times. */
const memo = new TwoKeyMemo<string, string, DusClassification>(MEMO_ENTRIES);

/** What an exchange without a request is: nothing of the service (its request line would say). */
export const NO_REQUEST_CLASS: DusClassification = Object.freeze({ kind: 'other' as const });

/** The classification of a request (frozen: the same object is handed to every caller asking the same). */
export function classify(method: string, uri: string): DusClassification {
  return memo.get(method, uri) ?? memo.remember(method, uri, Object.freeze(classifyUncached(method, uri)));
}

function classifyUncached(method: string, uri: string): DusClassification {
  const parts = targetPath(uri).split('/').filter((p) => p !== '');
  const lower = parts.map((p) => p.toLowerCase());
  if (lower.length >= 2 && lower[lower.length - 1] === 'ucdevice.upx') {
    const handler = HANDLERS[lower[lower.length - 2]];
    if (handler) return { kind: 'check-in', handler };
  }
  const root = lower[0];
  if ((method === 'GET' || method === 'HEAD') && (root === 'deviceupdatefiles_int' || root === 'deviceupdatefiles_ext')) {
    const c: DusClassification = { kind: 'download', area: root.endsWith('_int') ? 'internal' : 'external' };
    c.fileName = parts[parts.length - 1];
    if (lower[1] === 'ocinterim') {
      c.interim = true;
      if (parts.length >= 4) c.locale = parts[2];
    } else if (lower[1] === 'ucphone' && parts.length >= 9) {
      // /DeviceUpdateFiles_Int/UCPhone/<Vendor>/<Model>/<Revision>/<Locale>/<Version>/CPE/CPE.nbt
      [c.vendor, c.model, c.revision, c.locale, c.version] = parts.slice(2, 7);
    }
    return c;
  }
  return { kind: 'other' };
}
