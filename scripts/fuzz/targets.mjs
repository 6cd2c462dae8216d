// The fuzz targets, one entry each: which corpus feeds it, how often it is
// picked, which exports it needs, and how one input runs through it. A run
// "fails" when it throws (an exception escaping a decoder), or when an oracle
// below throws a FuzzFinding. The same table serves the fuzzer (bound to the
// built dist/) and the regression replay test (bound to src/), so adding a
// target is one entry here.
import { Readable } from 'node:stream';
import { fnv1a, Rng } from './rng.mjs';
import { unpackPair } from './mutators.mjs';

/** A broken promise of a decoder that did not throw: wrong output, not a crash. */
export class FuzzFinding extends Error {
  name = 'FuzzFinding';
}

// C0 controls other than tab and line feed, DEL and C1: none may reach a terminal raw.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function assertTerminalSafe(text, where) {
  const m = RAW_CONTROL.exec(text);
  if (m) {
    throw new FuzzFinding(`raw control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${where} at ${m.index}`);
  }
}

/** Split points and gap positions are drawn from the input itself, so a saved input replays exactly. */
function piecesOf(b, salt) {
  const r = new Rng(fnv1a(b) ^ salt);
  const pieces = [];
  let i = 0;
  while (i < b.length) {
    const n = r.chance(0.3) ? 1 : r.small(Math.max(1, Math.min(2048, b.length - i)));
    pieces.push(b.subarray(i, i + n));
    i += n;
  }
  return pieces;
}

function spansFor(pieces, firstFrame, start = 0) {
  let off = start;
  return pieces.map((p, k) => {
    const s = { frame: firstFrame + k, timestampNs: BigInt(firstFrame + k) * 1000n, streamOffset: off, length: p.length };
    off += p.length;
    return s;
  });
}

/** What must not depend on where TCP split the stream. */
function summary(events) {
  return JSON.stringify(
    events.map((e) =>
      e.kind === 'error'
        ? ['error', e.error.code, e.error.offset, e.resumable]
        : [
            e.message.type,
            e.message.method ?? e.message.status,
            e.message.uri ?? e.message.reason,
            e.message.version,
            e.message.headers,
            e.message.trailers,
            e.message.bodySize,
            e.message.bodySha256,
            e.message.complete,
            e.message.streamStart,
            e.message.streamEnd,
            e.message.notes.map((n) => [n.code, n.offset]),
          ],
    ),
  );
}

const METHODS = ['GET', 'HEAD', 'POST', 'CONNECT', 'GET', 'GET'];

function runParser(m, role, pieces, opts) {
  const p = new m.Http1Parser(role, { keepBodies: true, maxBodyBytes: 1 << 20, ...opts.parser });
  if (role === 'response') for (const meth of opts.methods) p.expectResponseTo(meth);
  const events = [];
  const spans = spansFor(pieces, 1);
  pieces.forEach((piece, k) => {
    if (opts.gapAfter === k) events.push(...p.gap(opts.gapLength, k + 1));
    events.push(...p.push(piece, [spans[k]]));
  });
  events.push(...p.end('fin', { frame: pieces.length + 1, timestampNs: 0n }));
  return events;
}

/** One HTTP direction: no throw, and the same messages whole or split anywhere. */
function httpTarget(role) {
  return (b, m) => {
    const r = new Rng(fnv1a(b));
    const methods = Array.from({ length: 8 }, () => r.pick(METHODS));
    const parser = r.chance(0.2) ? { maxHeadBytes: r.pick([64, 256, 4096]), maxHeaders: r.pick([2, 10]) } : {};
    const whole = runParser(m, role, [b], { methods, parser });
    const split = runParser(m, role, piecesOf(b, 0x5eed), { methods, parser });
    const a = summary(whole);
    const c = summary(split);
    if (a !== c) throw new FuzzFinding(`${role} parser: split input gives different messages\nwhole: ${a.slice(0, 600)}\nsplit: ${c.slice(0, 600)}`);
    // A gap somewhere: only "never throws" is promised.
    const pieces = piecesOf(b, 0x6a9);
    runParser(m, role, pieces, { methods, parser, gapAfter: r.int(pieces.length + 1), gapLength: r.pick([1, 10, 1000, 1 << 30]) });
  };
}

const FLOW = {
  index: 0,
  client: { ip: '10.0.0.1', port: 50000 },
  server: { ip: '10.0.0.2', port: 80 },
  firstFrame: 1,
  sawSyn: true,
};

export const TARGETS = [
  {
    name: 'analyze',
    corpus: 'capture',
    weight: 3,
    needs: ['analyzeCapture', 'CaptureError', 'renderAnalyzeText', 'palette', 'analyzeDocument', 'renderFlowsText'],
    /** The whole of `upxray analyze` on a capture read from a stream, reports included. */
    async run(b, m) {
      let res;
      try {
        res = await m.analyzeCapture('-', { stdin: Readable.from([Buffer.from(b)]) });
      } catch (e) {
        if (e instanceof m.CaptureError) return; // unreadable input is an answer, not a crash
        throw e;
      }
      assertTerminalSafe(m.renderAnalyzeText(res, m.palette(false, {})), 'analyze text');
      assertTerminalSafe(m.renderFlowsText(res.flows), 'flows text');
      JSON.stringify(m.analyzeDocument(res));
    },
  },
  {
    name: 'analyze-parts',
    corpus: 'capture',
    weight: 1,
    needs: ['analyzeCapture', 'CaptureError', 'analyzeDocument'],
    /** analyze's JSON report made a part at a time (every exchange and connection put aside) is the one made at once. */
    async run(b, m) {
      const report = async (extra) => {
        try {
          const res = await m.analyzeCapture('-', { stdin: Readable.from([Buffer.from(b)]) }, undefined, { keepCheckInBodies: false, spool: true, ...extra });
          return JSON.stringify(m.analyzeDocument(res)) + JSON.stringify(res.findings);
        } catch (e) {
          if (e instanceof m.CaptureError) return `unreadable: ${e.message}`;
          throw e;
        }
      };
      const whole = await report({});
      const parts = await report({ parts: true, putAsideAfter: 0, partExchanges: 2, asideAfterCloses: 0 });
      if (parts !== whole) throw new FuzzFinding('the report made a part at a time differs from the one made at once');
    },
  },
  {
    name: 'pipeline',
    corpus: 'capture',
    weight: 1,
    needs: ['openCapture', 'runPipeline', 'CaptureError'],
    async run(b, m) {
      let source;
      try {
        source = await m.openCapture('-', { stdin: Readable.from([Buffer.from(b)]) });
      } catch (e) {
        if (e instanceof m.CaptureError) return;
        throw e;
      }
      let n = 0;
      await m.runPipeline(source, { keepBodies: true, maxBodyBytes: 1 << 20, onExchange: () => n++ });
    },
  },
  { name: 'http-request', corpus: 'http', weight: 3, needs: ['Http1Parser'], run: httpTarget('request') },
  { name: 'http-response', corpus: 'http', weight: 3, needs: ['Http1Parser'], run: httpTarget('response') },
  {
    name: 'http-exchange',
    corpus: 'pair',
    weight: 2,
    needs: ['HttpExchangeTracker', 'exchangeJson'],
    /** Both directions through the exchange tracker (probing, pairing, tunnels), interleaved. */
    run(b, m) {
      const { c2s, s2c } = unpackPair(b);
      const r = new Rng(fnv1a(b));
      const t = new m.HttpExchangeTracker({ keepBodies: true, maxBodyBytes: 1 << 20 });
      const out = [];
      const dirs = { c2s: { pieces: piecesOf(c2s, 1), k: 0, off: 0 }, s2c: { pieces: piecesOf(s2c, 2), k: 0, off: 0 } };
      let frame = 1;
      out.push(...t.push({ kind: 'open', flow: FLOW, frame, timestampNs: 0n }));
      while (dirs.c2s.k < dirs.c2s.pieces.length || dirs.s2c.k < dirs.s2c.pieces.length) {
        const dir = dirs.c2s.k >= dirs.c2s.pieces.length ? 's2c' : dirs.s2c.k >= dirs.s2c.pieces.length ? 'c2s' : r.chance(0.5) ? 'c2s' : 's2c';
        const d = dirs[dir];
        const bytes = d.pieces[d.k++];
        frame++;
        if (r.chance(0.02)) {
          out.push(...t.push({ kind: 'gap', flow: FLOW, dir, offset: d.off, length: bytes.length, frame }));
        } else {
          const spans = [{ frame, timestampNs: BigInt(frame) * 1000n, streamOffset: d.off, length: bytes.length }];
          out.push(...t.push({ kind: 'data', flow: FLOW, dir, offset: d.off, bytes, spans }));
        }
        d.off += bytes.length;
      }
      if (r.chance(0.5)) {
        for (const dir of ['c2s', 's2c']) out.push(...t.push({ kind: 'end', flow: FLOW, dir, reason: r.pick(['fin', 'rst']), frame: ++frame, timestampNs: 0n }));
      }
      out.push(...t.flush());
      for (const x of out) JSON.stringify(m.exchangeJson(x, 'fuzz'));
    },
  },
  {
    name: 'content-decoding',
    corpus: 'compressed',
    weight: 1,
    needs: ['decodeContent'],
    /** First byte picks the coding; the output cap must hold whatever the input. */
    run(b, m) {
      const coding = ['gzip', 'deflate', 'br', 'gzip, br', 'x-gzip', 'deflate, gzip'][b.length ? b[0] % 6 : 0];
      const cap = 1 << 20;
      const r = m.decodeContent(b.subarray(1), coding, cap);
      if (r.ok && r.bytes.length > cap) throw new FuzzFinding(`decoded ${r.bytes.length} bytes past the ${cap} cap`);
    },
  },
  {
    name: 'upx',
    corpus: 'xml',
    weight: 3,
    needs: ['decodeUpx'],
    /** decodeUpx catches its own bugs as upx.internal: here that counts as a crash. */
    run(b, m) {
      for (const opts of [{}, { kind: 'request' }, { kind: 'response' }]) {
        const r = m.decodeUpx(b, opts);
        if (!r.ok && r.error.code === 'upx.internal') throw new FuzzFinding(`decodeUpx internal failure: ${r.error.detail}`);
        JSON.stringify(r);
      }
    },
  },
  {
    name: 'dns',
    corpus: 'dns',
    weight: 1,
    needs: ['decodeDns', 'DnsTcpStream'],
    run(b, m) {
      m.decodeDns(b);
      m.decodeDns(b, { tcp: true });
      const s = new m.DnsTcpStream();
      const pieces = piecesOf(b, 3);
      for (const [k, sp] of spansFor(pieces, 1).entries()) s.push(pieces[k], [sp]);
    },
  },
  {
    name: 'export-name',
    corpus: 'uri',
    weight: 1,
    needs: ['safeFileName', 'lastSegment', 'NameAllocator'],
    /** A request target as `objects` turns it into a file name: one plain name, inside the folder. */
    run(b, m) {
      // No request target is longer than the HTTP head cap (64 KiB).
      const head = Buffer.from(b.subarray(0, 64 * 1024));
      const names = new m.NameAllocator();
      for (const raw of [head.toString('latin1'), head.toString('utf8')]) {
        const name = names.take(m.safeFileName(m.lastSegment(raw)));
        if (name === '' || /[\\/:\u0000-\u001f\u007f-\u009f]/.test(name) || name === '.' || name === '..') {
          throw new FuzzFinding(`unsafe export name ${JSON.stringify(name)}`);
        }
        if (/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i.test(name)) throw new FuzzFinding(`device export name ${JSON.stringify(name)}`);
        if (Buffer.byteLength(name) > 255) throw new FuzzFinding(`export name of ${Buffer.byteLength(name)} bytes`);
      }
    },
  },
  { name: 'dhcp', corpus: 'dhcp', weight: 1, needs: ['decodeDhcp'], run: (b, m) => void m.decodeDhcp(b) },
  {
    name: 'tls-record',
    corpus: 'tls',
    weight: 1,
    needs: ['RecordReader'],
    run(b, m) {
      const rr = new m.RecordReader();
      let off = 0;
      const r = new Rng(fnv1a(b));
      for (const p of piecesOf(b, 4)) {
        rr.push(p, r.chance(0.03) ? off + r.small(100) : off); // sometimes a hole before the piece
        off += p.length;
      }
    },
  },
];

/** The targets whose exports are all present in `m` (others are still being written). */
export function availableTargets(m) {
  return TARGETS.filter((t) => t.needs.every((n) => m[n] !== undefined));
}
