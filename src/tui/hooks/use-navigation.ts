// The reducer of state.ts bound to React: state plus a dispatch that maps each
// key (keys.ts) in the mode of the state it applies to, and always reads the
// latest NavEnv (row counts change with the filter and the size).
import { useCallback, useRef, useState } from 'react';
import { keyAction, splitKeys, type KeyInfo } from '../keys.js';
import { initialState, reduce, type NavEnv, type UiState } from '../state.js';

/** A key press as ink's useInput reports it. */
export interface KeyPress {
  input: string;
  key: KeyInfo;
}

/** State, and a dispatch that maps a key by the mode the state is in when it is applied. */
export function useNavigation(env: NavEnv): [UiState, (k: KeyPress) => void] {
  const [state, setState] = useState<UiState>(initialState);
  const envRef = useRef(env);
  envRef.current = env;
  const dispatch = useCallback(
    (k: KeyPress) =>
      setState((s0) => splitKeys(k.input, k.key).reduce((s, one) => reduce(s, keyAction(s.mode, one.input, one.key), envRef.current), s0)),
    [],
  );
  return [state, dispatch];
}
