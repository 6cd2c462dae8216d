// The phone's Locale must have files on the server. When it has none, the
// service offers (and the phone fetches) another locale's build, or the URL's
// locale segment differs from what the phone asked for (seed comment 5: Dutch
// files on the server, English phones). URL layout: ucdevice-upx.md section 1.
import { classify } from '../../dus/exchange-kind.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { decodedCheckIns, exchangeEvidence, finding, phoneOf, quote } from './util.js';

function sameLocale(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The locale segment of a file URL (`.../A/NLD/3.5.6907.0/CPE/CPE.nbt`, `OCInterim/NLD/CPE.nbt`). */
export function urlLocale(url: string): string | undefined {
  const c = classify('GET', url);
  return c.kind === 'download' ? c.locale : undefined;
}

export const localeRule: Rule = {
  codes: ['locale-mismatch'],
  run(m) {
    const out: Finding[] = [];
    for (const { x, req, res } of decodedCheckIns(m)) {
      const asked = req?.locale;
      if (asked === undefined || asked.trim() === '') continue;
      const other = new Set<string>();
      for (const f of res.files) {
        const loc = f.url === undefined ? undefined : urlLocale(f.url);
        if (loc !== undefined && !sameLocale(loc, asked)) other.add(loc);
      }
      if (other.size === 0) continue;
      const frame = x.http.response?.frame;
      out.push(
        finding(
          'locale-mismatch',
          phoneOf(m, x),
          `The phone asked for locale ${quote(asked, 20)} but the response in frame ${frame} offers files for ${[...other].map((l) => quote(l, 20)).join(', ')}.`,
          { ...exchangeEvidence(x), frames: frame ? [frame] : [], field: 'Locale' },
        ),
      );
    }
    // Downloads whose offer the capture does not hold (an HTTPS check-in, say): compare with the phone's own locale.
    for (const x of m.exchanges) {
      if (x.cls.kind !== 'download' || x.offeredBy || x.offeredBeside || x.cls.locale === undefined) continue;
      const asked = m.phones.find((p) => p.key === x.phone)?.locale;
      if (asked === undefined || asked.trim() === '' || sameLocale(asked, x.cls.locale)) continue;
      out.push(
        finding(
          'locale-mismatch',
          phoneOf(m, x),
          `The phone reports locale ${quote(asked, 20)} but downloads files for ${quote(x.cls.locale, 20)} (frame ${x.http.request?.frame}).`,
          exchangeEvidence(x, [], 'Locale'),
        ),
      );
    }
    return out;
  },
};
