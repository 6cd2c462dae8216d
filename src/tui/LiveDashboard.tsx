// The dashboard of `upxray live` on a terminal: the phones seen so far (status
// badge, finding counts), the selected phone's latest check-ins and downloads,
// downloads still in flight with their progress, and the findings as they are
// told, newest first, with their frames. Enter opens the selected phone, and
// from there an exchange or a finding, exactly as in `upxray browse` (same
// components, same reducer, same keys); `q` or Ctrl+C stops the capture.
//
// Data comes from a LiveStore the live session pushes into; every string from
// the capture reaches the screen through the view-model and SafeText.
import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Finding } from '../diagnose/finding.js';
import { progressText, type DownloadInFlight } from '../live/download-progress.js';
import { navEnv, ScreenData } from './App.js';
import { DetailPane } from './components/DetailPane.js';
import { FindingsList } from './components/FindingsList.js';
import { Help } from './components/Help.js';
import { PhoneDetail } from './components/PhoneDetail.js';
import { PhonesList } from './components/PhonesList.js';
import { SafeText } from './components/SafeText.js';
import { StatusBar } from './components/StatusBar.js';
import { Timeline } from './components/Timeline.js';
import { useNavigation } from './hooks/use-navigation.js';
import { useTerminalSize, type TerminalSize } from './hooks/use-terminal-size.js';
import { LIVE_HELP_LINES } from './keys.js';
import type { FeedFinding, LiveState, LiveStore } from './live-store.js';
import { safeText } from './sanitize.js';
import { current, type NavEnv } from './state.js';
import { buildViewModel, filterPhones, macText, type FindingRow, type PhoneRow, type ViewModel } from './view-model.js';

export interface LiveDashboardProps {
  store: LiveStore;
  /** Called when the user asks to stop (q, Ctrl+C; again on each further Ctrl+C). */
  onQuit: () => void;
  /** Use colour (false under NO_COLOR). @default true */
  color?: boolean;
  /** Fixed size instead of the terminal's. */
  size?: TerminalSize;
  /** Wall clock for the elapsed time. @default Date.now */
  now?: () => number;
}

/** Rows above (title, counters) and below (status bar) the body. */
const CHROME_ROWS = 3;
/** Downloads in flight listed at most. */
const MAX_DOWNLOAD_ROWS = 3;

const EMPTY_VM: ViewModel = { title: '', health: '', phones: [] };
const NO_SCREENS: Omit<NavEnv, 'page'> = { count: () => 0, open: () => undefined };

/** `1 h 02 min`, `3 min 05 s`, `12 s` */
export function elapsedText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The counters line: packets, exchanges, findings, and drops once the capture tool has told them. */
export function countersText(s: LiveState): string {
  const drops = s.stats
    ? `dropped: kernel ${s.stats.droppedByKernel ?? '?'}, interface ${s.stats.droppedByInterface ?? '?'}, tool ${s.stats.droppedByTool ?? '?'}`
    : 'drops counted when the capture stops';
  return `${s.packets} packets · ${s.exchanges} exchanges (${s.serviceExchanges} service) · ${s.told} findings · ${drops}`;
}

function phoneText(f: Finding): string {
  const who = [f.phone.mac ? macText(f.phone.mac) : undefined, f.phone.ip].filter((x) => x !== undefined).join(' ');
  return who || 'no phone';
}

/** A feed entry as FindingsList draws it: the phone and message in the text, withdrawn ones marked. */
export function feedRow(x: FeedFinding): FindingRow {
  const f = x.finding;
  return {
    index: x.seq,
    code: f.code,
    severity: f.severity,
    message: safeText(`${x.withdrawn ? '(withdrawn: the capture went on and shows otherwise) ' : ''}${phoneText(f)}: ${f.message}`),
    frames: f.evidence.frames,
    exchanges: [],
  };
}

/** One in-flight download line: who, what, how far. */
export function downloadLine(d: DownloadInFlight): string {
  const status = d.status !== undefined ? `${d.status} ` : 'waiting ';
  return safeText(`${d.client.ip} ← ${d.server.ip}:${d.server.port}  ${status}${progressText(d)}  ${d.uri}`);
}

function Heading({ children, color }: { children: string; color: boolean }) {
  return (
    <Text bold color={color ? 'cyan' : undefined} wrap="truncate-end">
      {children}
    </Text>
  );
}

interface OverviewProps {
  state: LiveState;
  rows: readonly PhoneRow[];
  data: ScreenData | undefined;
  selected: number;
  height: number;
  color: boolean;
  filter: string;
}

/** The first screen: phones, downloads in flight, the selected phone's latest timeline, the findings feed. */
function Overview({ state, rows, data, selected, height, color, filter }: OverviewProps) {
  const dl = state.downloads.slice(-MAX_DOWNLOAD_ROWS);
  const dlRows = state.downloads.length > 0 ? 1 + dl.length : 0;
  const rest = Math.max(6, height - dlRows);
  const phoneRows = Math.min(Math.max(1, rows.length), Math.max(2, Math.floor(rest * 0.35)));
  const sel = rows[Math.min(Math.max(0, selected), rows.length - 1)];
  const pv = sel && data ? data.phone(sel.key) : undefined;
  const tlAll = pv?.timeline ?? [];
  const tlRows = Math.min(Math.max(1, tlAll.length), Math.max(1, Math.floor(rest * 0.25)));
  const feedRows = Math.max(1, rest - (1 + phoneRows) - (1 + tlRows) - 1);
  const feed = state.feed.slice(0, feedRows).map(feedRow);
  const empty = state.result ? (filter ? `no phone matches "${filter}"` : 'no phone has checked in yet') : 'waiting for the first packets…';
  return (
    <Box flexDirection="column">
      <Heading color={color}>{`Phones (${rows.length})`}</Heading>
      <Box flexDirection="column" height={phoneRows} overflow="hidden">
        <PhonesList rows={rows} selected={selected} height={phoneRows} color={color} empty={`  ${empty}`} />
      </Box>
      {dlRows > 0 ? (
        <>
          <Heading color={color}>{`Downloads in flight (${state.downloads.length})`}</Heading>
          {dl.map((d) => (
            <SafeText key={`${d.flow}`} color={color ? 'cyan' : undefined}>{`  ${downloadLine(d)}`}</SafeText>
          ))}
        </>
      ) : null}
      <Heading color={color}>{sel ? `Latest of ${sel.label} (${tlAll.length} check-ins and downloads)` : 'Latest check-ins and downloads'}</Heading>
      <Box flexDirection="column" height={tlRows} overflow="hidden">
        <Timeline rows={tlAll.slice(-tlRows)} selected={-1} color={color} />
      </Box>
      <Heading color={color}>{`Findings (${state.told}), newest first`}</Heading>
      <Box flexDirection="column" height={feedRows} overflow="hidden">
        <FindingsList rows={feed} selected={-1} color={color} />
      </Box>
    </Box>
  );
}

export function LiveDashboard({ store, onQuit, color = true, size, now = Date.now }: LiveDashboardProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const term = useTerminalSize(size);
  const result = state.result;
  const vm = useMemo(() => (result ? buildViewModel(result) : EMPTY_VM), [result]);
  const data = useMemo(() => (result ? new ScreenData(result, vm, term.columns) : undefined), [result, vm, term.columns]);
  const bodyRows = Math.max(8, term.rows - CHROME_ROWS - 1);
  const env = useMemo<NavEnv>(() => (data ? navEnv(data, bodyRows - 1) : { ...NO_SCREENS, page: bodyRows - 1 }), [data, bodyRows]);
  const [nav, dispatch] = useNavigation(env);
  useInput((input, key) => dispatch({ input, key }), { isActive: !nav.quit });
  // After q, Ctrl+C still reaches the caller: a second one kills a capture tool that does not stop.
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') onQuit();
    },
    { isActive: nav.quit },
  );
  useEffect(() => {
    if (!nav.quit) return;
    store.stopping();
    onQuit();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nav.quit]);
  // The elapsed time moves on even when the link is quiet.
  const [, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);

  const top = current(nav);
  const filtered = filterPhones(vm.phones, nav.filter);
  let body: React.ReactNode;
  if (nav.mode === 'help') {
    body = <Help lines={LIVE_HELP_LINES} title="upxray live: keys" />;
  } else if (top.screen.kind === 'phones') {
    body = <Overview state={state} rows={filtered} data={data} selected={top.pos} height={bodyRows} color={color} filter={nav.filter} />;
  } else if (top.screen.kind === 'phone') {
    const v = data?.phone(top.screen.key);
    body = v ? <PhoneDetail view={v} selected={top.pos} height={bodyRows} color={color} /> : <Text>phone gone</Text>;
  } else {
    const d = data?.detail(top.screen);
    body = d ? <DetailPane title={d.title} lines={d.lines} top={top.pos} height={bodyRows} color={color} /> : <Text>nothing here</Text>;
  }
  const where = nav.stack.length > 1 ? top.screen.kind : `${filtered.length}/${vm.phones.length} phones`;
  const title = `upxray live · ${state.label} · ${state.tool} · ${elapsedText(now() - state.startedMs)}`;
  return (
    <Box flexDirection="column" width={term.columns} height={term.rows - 1}>
      <SafeText bold>{title}</SafeText>
      <SafeText dimColor>{countersText(state)}</SafeText>
      <Box flexDirection="column" height={bodyRows} overflow="hidden">
        {body}
      </Box>
      {state.stopping ? (
        <SafeText inverse>{'stopping the capture and finishing the analysis… (Ctrl+C again to kill the capture tool)'}</SafeText>
      ) : (
        <StatusBar mode={nav.mode} filter={nav.filter} info={where} hints="↑↓ jk move · Enter open · Esc back · / filter · ? help · q stop" />
      )}
    </Box>
  );
}
