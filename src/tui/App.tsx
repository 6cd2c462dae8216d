// The terminal UI of `upxray browse` and `analyze --tui`: phones list → phone
// (timeline and findings) → exchange or finding detail. Data comes from the
// pure view-model, navigation from the pure reducer (state.ts), keys from
// keys.ts; each pane listens with useInput only while it is the active one.
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useMemo } from 'react';
import type { AnalysisResult } from '../analysis.js';
import { DetailPane } from './components/DetailPane.js';
import { Help } from './components/Help.js';
import { PhoneDetail } from './components/PhoneDetail.js';
import { PhonesList } from './components/PhonesList.js';
import { SafeText } from './components/SafeText.js';
import { StatusBar } from './components/StatusBar.js';
import { useNavigation } from './hooks/use-navigation.js';
import { useTerminalSize, type TerminalSize } from './hooks/use-terminal-size.js';
import { HELP_LINES } from './keys.js';
import { current, type NavEnv, type Screen } from './state.js';
import {
  buildViewModel,
  exchangeView,
  filterPhones,
  findingView,
  phoneView,
  wrapDetail,
  type DetailView,
  type PhoneView,
  type ViewModel,
} from './view-model.js';

export interface AppProps {
  result: AnalysisResult;
  /** Use colour (false under NO_COLOR). @default true */
  color?: boolean;
  /** Fixed size instead of the terminal's. */
  size?: TerminalSize;
}

/** Rows above (title, health) and below (status bar) the body. */
const CHROME_ROWS = 3;

/** Screens' data, computed once per phone/exchange/finding and width (the live dashboard uses it too). */
export class ScreenData {
  private phones = new Map<string, PhoneView | undefined>();
  private details = new Map<string, DetailView | undefined>();
  constructor(
    readonly result: AnalysisResult,
    readonly vm: ViewModel,
    readonly width: number,
  ) {}
  phone(key: string): PhoneView | undefined {
    if (!this.phones.has(key)) this.phones.set(key, phoneView(this.result, key));
    return this.phones.get(key);
  }
  detail(s: Screen): DetailView | undefined {
    const id = s.kind === 'exchange' ? `x:${s.id}` : s.kind === 'finding' ? `f:${s.index}` : '';
    if (!id) return undefined;
    if (!this.details.has(id)) {
      const v = s.kind === 'exchange' ? exchangeView(this.result, s.id) : s.kind === 'finding' ? findingView(this.result, s.index) : undefined;
      this.details.set(id, v ? { title: v.title, lines: wrapDetail(v.lines, this.width) } : undefined);
    }
    return this.details.get(id);
  }
}

/** What the navigation reducer needs to know about the screens of one analysis. */
export function navEnv(data: ScreenData, page: number): NavEnv {
  return {
    page,
    count(s, filter) {
      if (s.kind === 'phones') return filterPhones(data.vm.phones, filter).length;
      if (s.kind === 'phone') {
        const v = data.phone(s.key);
        return v ? v.timeline.length + v.findings.length : 0;
      }
      return data.detail(s)?.lines.length ?? 0;
    },
    open(s, pos, filter) {
      if (s.kind === 'phones') {
        const row = filterPhones(data.vm.phones, filter)[pos];
        return row ? { kind: 'phone', key: row.key } : undefined;
      }
      if (s.kind === 'phone') {
        const v = data.phone(s.key);
        if (!v) return undefined;
        if (pos < v.timeline.length) {
          const x = v.timeline[pos].exchange;
          return x ? { kind: 'exchange', id: x } : undefined;
        }
        const f = v.findings[pos - v.timeline.length];
        return f ? { kind: 'finding', index: f.index } : undefined;
      }
      return undefined;
    },
  };
}

export function App({ result, color = true, size }: AppProps) {
  const { exit } = useApp();
  const term = useTerminalSize(size);
  const vm = useMemo(() => buildViewModel(result), [result]);
  const data = useMemo(() => new ScreenData(result, vm, term.columns), [result, vm, term.columns]);
  const bodyRows = Math.max(3, term.rows - CHROME_ROWS - 1);
  const env = useMemo(() => navEnv(data, bodyRows - 1), [data, bodyRows]);
  const [state, dispatch] = useNavigation(env);
  // One listener; the reducer routes each key by the mode it is in when the key
  // is handled, so a key typed right after `/` or `?` can never reach the pane
  // that was active a moment before (per-pane isActive listeners switch only
  // after React's effects run).
  useInput((input, key) => dispatch({ input, key }), { isActive: !state.quit });
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  const top = current(state);
  const filtered = filterPhones(vm.phones, state.filter);
  let body: React.ReactNode;
  if (state.mode === 'help') {
    body = <Help lines={HELP_LINES} />;
  } else if (top.screen.kind === 'phones') {
    body = <PhonesList rows={filtered} selected={top.pos} height={bodyRows} color={color} empty={state.filter ? `no phone matches "${state.filter}"` : 'no phones in this capture'} />;
  } else if (top.screen.kind === 'phone') {
    const v = data.phone(top.screen.key);
    body = v ? <PhoneDetail view={v} selected={top.pos} height={bodyRows} color={color} /> : <Text>phone gone</Text>;
  } else {
    const d = data.detail(top.screen);
    body = d ? <DetailPane title={d.title} lines={d.lines} top={top.pos} height={bodyRows} color={color} /> : <Text>nothing here</Text>;
  }
  const where = state.stack.length > 1 ? `${top.screen.kind}` : `${filtered.length}/${vm.phones.length} phones`;
  return (
    <Box flexDirection="column" width={term.columns} height={term.rows - 1}>
      <SafeText bold>{`upxray · ${vm.title}`}</SafeText>
      <SafeText dimColor>{vm.health}</SafeText>
      <Box flexDirection="column" height={bodyRows} overflow="hidden">
        {body}
      </Box>
      <StatusBar mode={state.mode} filter={state.filter} info={where} />
    </Box>
  );
}
