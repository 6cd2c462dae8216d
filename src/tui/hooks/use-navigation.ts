// The reducer of state.ts bound to React: state plus a dispatch that always
// reads the latest NavEnv (row counts change with the filter and the size).
import { useCallback, useRef, useState } from 'react';
import type { Action } from '../keys.js';
import { initialState, reduce, type NavEnv, type UiState } from '../state.js';

export function useNavigation(env: NavEnv): [UiState, (a: Action) => void] {
  const [state, setState] = useState<UiState>(initialState);
  const envRef = useRef(env);
  envRef.current = env;
  const dispatch = useCallback((a: Action) => setState((s) => reduce(s, a, envRef.current)), []);
  return [state, dispatch];
}
