// Strings from a capture (URIs, headers, XML, file names a server chose) are
// hostile until shown otherwise: an ESC or OSC sequence printed raw can clear
// the screen, retitle the window or write the clipboard (OSC 52). Everything
// printed to a terminal goes through here first.

// C0 controls, DEL, C1 controls, and the Unicode bidi overrides/isolates that
// can make text read differently from what it is ("Trojan Source").
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of capture text, safe for a terminal: every control character becomes a visible \xNN. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Like terminalSafe, but keeps line feeds and tabs (for multi-line bodies). */
export function terminalSafeBlock(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\n' || c === '\t' ? c : escapeChar(c)));
}
