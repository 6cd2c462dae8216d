// analyze's report made a part at a time. A day's capture has tens of
// thousands of exchanges, and holding every one until the report was written
// made memory grow with the capture. Instead each exchange is put aside as a
// record (StoredExchange.toRecord) in a temporary file beside the spool that
// holds its JSON, and a few numbers of it are kept in columns that go to the
// same file a chunk at a time (ExchangeFacts); so is each connection record the
// connection log must keep (ConnectionShelf). At the end the
// exchanges are split into parts no rule looks across: closed under client
// address and phone (a phone's exchanges, every exchange of its addresses and
// the connections from them). Each part's model is built and judged on its
// own, a few parts at a time; the rules that read the capture as a whole (TLS,
// DNS, DHCP) run once, with every phone. Then the findings are sorted as one
// list, the phones' statuses set from all of them, and the report reads the
// exchanges back one at a time, in report order. The result is the one a
// model of every exchange at once gives (test/e2e/parts-same-report.test.ts): the phones are in the
// same order, since a part holds the whole of each of its phones, and
// findings that sort equal are of one connection, so of one part.
import type { AnalysisResult } from './analysis.js';
import { buildModel, macKey, macOfClients, type CheckInBodies, type ModelInputs } from './dus/build-model.js';
import type { DusClassification } from './dus/exchange-kind.js';
import type { DusExchange, DusModel, Phone, TimelineEntry } from './dus/model.js';
import { flagStatuses, setPhoneStatuses } from './dus/phone-status.js';
import { sharedValues, StoredExchange } from './dus/stored-exchange.js';
import { diagnose, settleFindings, type Rule } from './diagnose/diagnose.js';
import type { Finding } from './diagnose/finding.js';
import { addServiceEnds, CHECK_IN_PORT } from './diagnose/rules/connections.js';
import { connectionOfRecord, type ConnectionRecord, type ConnectionsAside } from './reassembly/connection-log.js';
import type { FlowInfo } from './reassembly/stream-event.js';
import { ExchangeSpool, type SpoolPlace } from './report/exchange-spool.js';
import type { TlsJson } from './report/flows-json.js';
import { Column, Numbered, type ChunkStore } from './util/column.js';
import { keepHeapAtWorkingSize } from './util/heap-policy.js';

/** Exchanges and connections judged at once, at most (a part bigger than this is judged whole). */
export const PART_EXCHANGES = 1024;
/** Exchanges the report reads back between two looks at the heap (util/heap-policy.ts). */
const HEAP_CHECK_EVERY = 512;

/**
 * What is remembered of each exchange put aside (64 bytes): where its record
 * is, and what parts, report order and the report's additions are made of.
 * While the capture is read, only the last 4096 rows stay in memory (the
 * columns put the rest in the file of records); the report reads them back.
 */
class ExchangeFacts {
  count = 0;

  readonly startFrame: Column;
  readonly recordAt: Column;
  readonly recordLength: Column;
  /** Client address (the exchange's, and its connection's), as Numbered ids. */
  readonly client: Column;
  readonly flowClient: Column;
  /** 1 + the MAC id of a check-in's XML, 0 for none; -1 for an exchange of no phone (kind other). */
  readonly xmlMac: Column;
  /** The id is `flowIndex.idN`; idN -1: the id is in oddIds. */
  readonly flowIndex: Column;
  readonly idN: Column;
  readonly oddIds = new Map<number, string>();
  /** Where the report JSON of the exchange is in the spool. */
  readonly textAt: Column;
  readonly textLength: Column;
  /** Kind and handler, as an id in ReportParts' table. */
  readonly kind: Column;
  /** Decoded bodies, as sharedValues ids. */
  readonly upxRequest: Column;
  readonly upxResponse: Column;

  constructor(store: ChunkStore) {
    this.startFrame = new Column(Float64Array, store);
    this.recordAt = new Column(Float64Array, store);
    this.recordLength = new Column(Int32Array, store);
    this.client = new Column(Int32Array, store);
    this.flowClient = new Column(Int32Array, store);
    this.xmlMac = new Column(Int32Array, store);
    this.flowIndex = new Column(Int32Array, store);
    this.idN = new Column(Int32Array, store);
    this.textAt = new Column(Float64Array, store);
    this.textLength = new Column(Int32Array, store);
    this.kind = new Column(Int32Array, store);
    this.upxRequest = new Column(Int32Array, store);
    this.upxResponse = new Column(Int32Array, store);
  }

  add(): number {
    return this.count++;
  }

  idOf(i: number): string {
    return this.idN.get(i) < 0 ? this.oddIds.get(i)! : `${this.flowIndex.get(i)}.${this.idN.get(i)}`;
  }

  setId(i: number, id: string, flow: number): void {
    this.flowIndex.set(i, flow);
    const n = Number(id.slice(id.indexOf('.') + 1));
    if (Number.isInteger(n) && n >= 0 && n < 2 ** 31 && id === `${flow}.${n}`) this.idN.set(i, n);
    else {
      this.idN.set(i, -1);
      this.oddIds.set(i, id);
    }
  }
}

/**
 * Connection records put aside by the connection log (ConnectionsAside), in
 * ReportParts' file of records, with 24 bytes of each in columns (where it is,
 * its first frame and client address, for report order and parts), which go
 * to the same file a chunk at a time as ExchangeFacts' do.
 */
class ConnectionShelf implements ConnectionsAside {
  count = 0;
  readonly firstFrame: Column;
  readonly client: Column;
  readonly recordAt: Column;
  /** -1: taken back by the log. */
  readonly recordLength: Column;

  constructor(
    private readonly spool: ExchangeSpool,
    private readonly addresses: Numbered<string>,
  ) {
    this.firstFrame = new Column(Float64Array, spool);
    this.client = new Column(Int32Array, spool);
    this.recordAt = new Column(Float64Array, spool);
    this.recordLength = new Column(Int32Array, spool);
  }

  put(record: string, firstFrame: number, clientIp: string): number {
    const n = this.count++;
    const place = this.spool.append(record);
    this.firstFrame.set(n, firstFrame);
    this.client.set(n, this.addresses.id(clientIp));
    this.recordAt.set(n, place.at);
    this.recordLength.set(n, place.length);
    return n;
  }

  take(n: number): string {
    // One record now and then, while the spool is written.
    const record = this.read(n, true);
    this.recordLength.set(n, -1);
    return record;
  }

  read(n: number, scattered = false): string {
    return this.spool.read({ at: this.recordAt.get(n), length: this.recordLength.get(n) }, scattered);
  }

  /** The connections on the shelf, by number. */
  *shelved(): Generator<number> {
    for (let n = 0; n < this.count; n++) if (this.recordLength.get(n) >= 0) yield n;
  }
}

/** A connection in memory, or the number of one on the shelf. */
type ConnectionEntry = ConnectionRecord | number;

/** What the report needs besides the exchanges, known when the capture has been read. */
export interface PartsInputs extends Omit<ModelInputs, 'exchanges'> {
  rules: readonly Rule[];
  inventory?: DusModel['inventory'];
  expected?: DusModel['expected'];
  discovery?: DusModel['discovery'];
  tls?: DusModel['tls'];
  /** How TLS was decrypted, by connection index. */
  tlsJson: Map<number, TlsJson>;
  /** @default PART_EXCHANGES */
  partExchanges?: number;
}

/** Exchanges put aside as records, and the report made from them a part at a time. */
export class ReportParts {
  private readonly facts: ExchangeFacts;
  private readonly addresses = new Numbered<string>();
  private readonly macs = new Numbered<string>();
  /** Kinds and handlers (`check-in internal`), which is all the report reads of a classification. */
  private readonly kinds = new Numbered<string>();
  private readonly shared = sharedValues();
  private readonly checkInPorts = new Set([CHECK_IN_PORT]);
  private readonly serviceHosts = new Set<string>();
  /** Where the connection log puts the connections that must stay (ConnectionLogOptions.aside). */
  readonly shelf: ConnectionShelf;

  /**
   * The records of the exchanges and connections, and the phones' timelines:
   * a file of their own beside `spool` (the exchanges' JSON), so that those
   * of a part, read in file order, are close together.
   */
  private readonly records: ExchangeSpool;

  constructor(private readonly spool: ExchangeSpool) {
    this.records = new ExchangeSpool(spool.folder);
    // Their columns too, a chunk at a time while the capture is read.
    this.facts = new ExchangeFacts(this.records);
    this.shelf = new ConnectionShelf(this.records, this.addresses);
  }

  /** `inMemory` (the connection log's all()) and those on the shelf, in order of first frame. */
  private connectionEntries(inMemory: readonly ConnectionRecord[]): ConnectionEntry[] {
    const shelf = this.shelf;
    const entries: ConnectionEntry[] = [...inMemory, ...shelf.shelved()];
    const first = (e: ConnectionEntry) => (typeof e === 'number' ? shelf.firstFrame.get(e) : e.firstFrame);
    // Each frame opens at most one connection: the order is total.
    return entries.sort((a, b) => first(a) - first(b));
  }

  private connectionOf(e: ConnectionEntry): ConnectionRecord {
    return typeof e === 'number' ? connectionOfRecord(this.shelf.read(e)) : e;
  }

  /** Connections of a part, in the order given, those on the shelf read in file order. */
  private connectionsOf(entries: readonly ConnectionEntry[]): ConnectionRecord[] {
    const out = entries.slice() as Array<ConnectionRecord | number>;
    const shelved = entries.map((_, k) => k).filter((k) => typeof entries[k] === 'number');
    shelved.sort((a, b) => this.shelf.recordAt.get(entries[a] as number) - this.shelf.recordAt.get(entries[b] as number));
    for (const k of shelved) out[k] = this.connectionOf(entries[k]);
    return out as ConnectionRecord[];
  }

  /** Every connection (the log's in memory, and those on the shelf read back), in order of first frame. */
  allConnections(inMemory: readonly ConnectionRecord[]): ConnectionRecord[] {
    if (this.shelf.count === 0) return [...inMemory];
    return this.connectionEntries(inMemory).map((e) => this.connectionOf(e));
  }

  /** Put an exchange aside (its JSON is in the spool already). */
  add(x: StoredExchange): void {
    const f = this.facts;
    const i = f.add();
    const place = this.records.append(x.toRecord(this.shared, this.records));
    f.recordAt.set(i, place.at);
    f.recordLength.set(i, place.length);
    f.startFrame.set(i, x.startFrame);
    f.setId(i, x.id, x.flow.index);
    const client = this.addresses.id(x.client.ip);
    f.client.set(i, client);
    // Nearly always the same address: the connection's client is the exchange's.
    f.flowClient.set(i, x.flow.client.ip === x.client.ip ? client : this.addresses.id(x.flow.client.ip));
    const mac = x.cls.kind === 'check-in' && x.upxRequest?.ok ? x.upxRequest.value.macAddress?.normalized : undefined;
    f.xmlMac.set(i, x.cls.kind === 'other' ? -1 : mac ? 1 + this.macs.id(mac) : 0);
    const text = x.reportPlace;
    f.textAt.set(i, text.at);
    f.textLength.set(i, text.length);
    f.kind.set(i, this.kinds.id(x.cls.handler === undefined ? x.cls.kind : `${x.cls.kind} ${x.cls.handler}`));
    f.upxRequest.set(i, this.shared.id(x.upxRequest));
    f.upxResponse.set(i, this.shared.id(x.upxResponse));
    addServiceEnds(x.cls.kind, x.server, this.checkInPorts, this.serviceHosts);
  }

  get count(): number {
    return this.facts.count;
  }

  /** The exchange put aside `i`-th. `flows` shares one FlowInfo between the exchanges of a connection. */
  private load(i: number, flows: Map<number, FlowInfo>, tlsJson: Map<number, TlsJson>): StoredExchange {
    const f = this.facts;
    const x = StoredExchange.fromRecord(this.records.read({ at: f.recordAt.get(i), length: f.recordLength.get(i) }), this.shared, this.spool, this.records, flows);
    const t = tlsJson.get(x.flow.index);
    if (t) x.decrypted = t;
    return x;
  }

  /**
   * The exchanges put aside `rows`-th, in that order, read in file order: a
   * part's records lie all over the file, and a piece of it read for one
   * serves those near it.
   */
  private exchangesOf(rows: readonly number[], tlsJson: Map<number, TlsJson>): StoredExchange[] {
    const f = this.facts;
    const byPlace = rows.map((_, k) => k).sort((a, b) => f.recordAt.get(rows[a]) - f.recordAt.get(rows[b]));
    const flows = new Map<number, FlowInfo>();
    const out = new Array<StoredExchange>(rows.length);
    for (const k of byPlace) out[k] = this.load(rows[k], flows, tlsJson);
    return out;
  }

  /** Report order (flows-json.ts reportOrder): where the exchange starts, then its id. */
  private reportOrder(): Int32Array {
    const f = this.facts;
    const order = Array.from({ length: f.count }, (_, i) => i);
    order.sort((a, b) => f.startFrame.get(a) - f.startFrame.get(b) || f.idOf(a).localeCompare(f.idOf(b)));
    return Int32Array.from(order);
  }

  /** The analysis, made a part at a time (see the top of the file). */
  analysis(inp: PartsInputs): Omit<AnalysisResult, 'flows'> {
    const f = this.facts;
    const tlsJson = inp.tlsJson;
    const order = this.reportOrder();
    const connections = this.connectionEntries(inp.connections);
    const batches = this.batches(order, connections, inp.macOfIp, inp.partExchanges ?? PART_EXCHANGES);
    const partRules = inp.rules.filter((r) => r.scope !== 'capture');
    const captureRules = inp.rules.filter((r) => r.scope === 'capture');
    const serviceEnds = { checkInPorts: this.checkInPorts, serviceHosts: this.serviceHosts };
    const found: Finding[][] = [];
    const phones: Phone[] = [];
    /** Where each phone's timeline is put aside, made while its part's exchanges are at hand. */
    const timelines: SpoolPlace[] = [];
    /** Report rank of each phone's first exchange, by index into `phones`. */
    const firstRank: number[] = [];
    /** Index into `phones` of each exchange's phone (-1: none). */
    const phoneOf = new Int32Array(f.count);
    const rank = new Int32Array(f.count);
    order.forEach((i, r) => (rank[i] = r));
    for (const batch of batches) {
      const exchanges = this.exchangesOf(batch.exchanges, tlsJson);
      const model = buildModel({ ...inp, exchanges, connections: this.connectionsOf(batch.connections) });
      model.inventory = inp.inventory;
      model.expected = inp.expected;
      model.serviceEnds = serviceEnds;
      found.push(diagnose(model, partRules));
      // Statuses from the exchanges now; the findings that make a phone failing or stuck are all known only at the end.
      setPhoneStatuses(model, []);
      const index = new Map<string, number>();
      for (const p of model.phones) {
        index.set(p.key, phones.length);
        phones.push(phoneSummary(p));
        timelines.push(this.records.append(timelineText(p.timeline)));
        firstRank.push(-1);
      }
      exchanges.forEach((x, k) => {
        const i = batch.exchanges[k];
        const p = x.phone === '' ? -1 : index.get(x.phone)!;
        phoneOf[i] = p;
        if (p >= 0 && firstRank[p] < 0) firstRank[p] = rank[i];
      });
      // A batch lives long enough to be promoted, and is garbage once judged: as while reading, the old generation is kept to what is live.
      keepHeapAtWorkingSize();
    }
    // Phones in the order of their first exchange, as one model makes them.
    const sorted = phones.map((_, p) => p).sort((a, b) => firstRank[a] - firstRank[b]).map((p) => phones[p]);
    const whole = buildModel({ ...inp, exchanges: [], connections: [] });
    whole.macOfClient = macOfClients(
      connections.map((e) => (typeof e === 'number' ? this.addresses.list[this.shelf.client.get(e)] : e.client.ip)),
      inp.macOfIp,
    );
    whole.phones = sorted;
    whole.discovery = inp.discovery;
    whole.tls = inp.tls;
    whole.inventory = inp.inventory;
    whole.expected = inp.expected;
    found.push(diagnose(whole, captureRules));
    const findings = settleFindings(found.flat());
    flagStatuses(sorted, findings);
    return { model: this.reportModel(whole, order, phoneOf, phones, timelines, tlsJson), findings };
  }

  /**
   * The report's model: every exchange read back as it is written, each
   * phone's list and timeline made when read. (Made apart from analysis(),
   * whose closures would keep its inputs, and through them the collector.)
   */
  private reportModel(whole: DusModel, order: Int32Array, phoneOf: Int32Array, phones: readonly Phone[], timelines: readonly SpoolPlace[], tlsJson: Map<number, TlsJson>): DusModel {
    const f = this.facts;
    const ofPhone = this.exchangesOfPhones(order, phoneOf, phones.length);
    const { spool, records } = this;
    phones.forEach((q, p) => {
      Object.defineProperty(q, 'exchanges', { enumerable: true, configurable: true, get: () => Array.from(ofPhone(p), (i) => f.idOf(i)) });
      Object.defineProperty(q, 'timeline', { enumerable: true, configurable: true, get: () => timelineOfText(records.read(timelines[p], true)) });
    });
    const keys = phones.map((p) => p.key);
    const classes = this.kinds.list.map((k): DusClassification => {
      const [kind, handler] = k.split(' ') as [DusClassification['kind'], DusClassification['handler']];
      return Object.freeze(handler === undefined ? { kind } : { kind, handler });
    });
    const shared = this.shared;
    const exchanges = {
      *[Symbol.iterator](): Generator<StoredExchange> {
        let read = 0;
        for (const i of order) {
          if (++read % HEAP_CHECK_EVERY === 0) keepHeapAtWorkingSize();
          const bodies = { upxRequest: shared.at(f.upxRequest.get(i)) as CheckInBodies['upxRequest'], upxResponse: shared.at(f.upxResponse.get(i)) as CheckInBodies['upxResponse'] };
          const x = StoredExchange.forReport(f.idOf(i), classes[f.kind.get(i)], bodies, spool, { at: f.textAt.get(i), length: f.textLength.get(i) }, tlsJson.get(f.flowIndex.get(i)));
          x.phone = phoneOf[i] < 0 ? '' : keys[phoneOf[i]];
          yield x;
        }
      },
    };
    return { ...whole, exchanges: exchanges as unknown as DusExchange[] };
  }

  /** Each phone's exchanges in report order: a list per phone, of indexes into the facts. */
  private exchangesOfPhones(order: Int32Array, phoneOf: Int32Array, phones: number): (p: number) => Int32Array {
    const start = new Int32Array(phones + 1);
    for (const i of order) if (phoneOf[i] >= 0) start[phoneOf[i] + 1]++;
    for (let p = 0; p < phones; p++) start[p + 1] += start[p];
    const list = new Int32Array(start[phones]);
    const next = start.slice(0, phones);
    for (const i of order) if (phoneOf[i] >= 0) list[next[phoneOf[i]]++] = i;
    return (p) => list.subarray(start[p], start[p + 1]);
  }

  /**
   * The parts (see the top of the file), gathered into batches of about
   * `size` exchanges and connections: each batch's exchanges in report order,
   * its connections in the order given.
   */
  private batches(order: Int32Array, connections: readonly ConnectionEntry[], macOfIp: (ip: string) => string | undefined, size: number): Array<{ exchanges: number[]; connections: ConnectionEntry[] }> {
    const f = this.facts;
    const addresses = this.addresses;
    // The address of each connection's client, named before the union is sized.
    const connectionAt = connections.map((c) => (typeof c === 'number' ? this.shelf.client.get(c) : addresses.id(c.client.ip)));
    // buildModel's phone of an exchange without a MAC of its own: the last check-in's MAC from its address, else the link layer's.
    const lastMac = new Int32Array(addresses.list.length);
    for (const i of order) if (f.xmlMac.get(i) > 0) lastMac[f.client.get(i)] = f.xmlMac.get(i);
    for (let a = 0; a < lastMac.length; a++) {
      if (lastMac[a] !== 0) continue;
      const link = macOfIp(addresses.list[a]);
      if (link) lastMac[a] = 1 + this.macs.id(macKey(link));
    }
    // Union of addresses (0..) and MACs (after them).
    const parent = Int32Array.from({ length: addresses.list.length + this.macs.list.length }, (_, n) => n);
    const find = (n: number): number => {
      while (parent[n] !== n) n = parent[n] = parent[parent[n]];
      return n;
    };
    const union = (a: number, b: number) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    };
    const macNode = (mac: number) => addresses.list.length + mac - 1;
    for (const i of order) {
      union(f.client.get(i), f.flowClient.get(i));
      if (f.xmlMac.get(i) < 0) continue;
      const mac = f.xmlMac.get(i) || lastMac[f.client.get(i)];
      if (mac > 0) union(f.client.get(i), macNode(mac));
    }
    // Parts in the order of their first exchange (then of their first connection), gathered into batches.
    const batchOf = new Map<number, number>();
    const sizeOf = new Map<number, number>();
    const count = (root: number) => sizeOf.set(root, (sizeOf.get(root) ?? 0) + 1);
    for (const i of order) count(find(f.client.get(i)));
    for (const a of connectionAt) count(find(a));
    const batches: Array<{ exchanges: number[]; connections: ConnectionEntry[]; size: number }> = [];
    const place = (root: number): number => {
      let b = batchOf.get(root);
      if (b === undefined) {
        const last = batches[batches.length - 1];
        const n = sizeOf.get(root)!;
        if (last && last.size + n <= size) {
          b = batches.length - 1;
          last.size += n;
        } else {
          b = batches.length;
          batches.push({ exchanges: [], connections: [], size: n });
        }
        batchOf.set(root, b);
      }
      return b;
    };
    for (const i of order) batches[place(find(f.client.get(i)))].exchanges.push(i);
    connections.forEach((c, k) => batches[place(find(connectionAt[k]))].connections.push(c));
    return batches;
  }
}

/** A phone of a part's model without what grows with its exchanges (made again when read). */
function phoneSummary(p: Phone): Phone {
  return { ...p, exchanges: [], timeline: [] };
}

/** A timeline as text to put aside (its times are BigInts). */
function timelineText(timeline: readonly TimelineEntry[]): string {
  return JSON.stringify(timeline.map((t) => [t.kind, t.ref, String(t.timeNs), t.frames, t.gapSeconds ?? null, t.gapMeaning ?? null, t.summary, t.source ?? null, t.notes ?? null]));
}

/** The timeline timelineText put aside. */
function timelineOfText(text: string): TimelineEntry[] {
  const rows = JSON.parse(text) as Array<[TimelineEntry['kind'], string, string, number[], number | null, TimelineEntry['gapMeaning'] | null, string, TimelineEntry['source'] | null, string[] | null]>;
  return rows.map(([kind, ref, time, frames, gapSeconds, gapMeaning, summary, source, notes]) => {
    const t: TimelineEntry = { kind, ref, timeNs: BigInt(time), frames, gapSeconds: gapSeconds ?? undefined, gapMeaning: gapMeaning ?? undefined, summary };
    if (source !== null) t.source = source;
    if (notes !== null) t.notes = notes;
    return t;
  });
}
