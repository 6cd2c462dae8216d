// File names for exported objects come from URIs a server or client chose:
// they must never name a path outside the output folder, a device, or a
// hidden file, and must stay readable. Wireshark takes the last path segment
// of the URI; so do we, then make it safe.

const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\..*)?$/i;
// Path separators, characters Windows forbids, controls, DEL and C1.
const FORBIDDEN = /[\\/:*?"<>|\u0000-\u001f\u007f-\u009f]/g;
const MAX_NAME_BYTES = 200;

/** The last path segment of a request target, without query or fragment. */
export function lastSegment(uri: string): string {
  let path = uri;
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  // Absolute-form targets (proxy requests) carry scheme and host first.
  path = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const parts = path.split('/');
  let last = parts[parts.length - 1] ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // A bad %-escape: keep it as sent.
  }
  return last;
}

/** A single safe file name (no folders) for a URI-derived name. */
export function safeFileName(raw: string, fallback = 'object'): string {
  let name = raw.replace(FORBIDDEN, '_');
  name = name.replace(/^[\s.]+/, '');
  // Trailing dots and spaces by hand: /[\s.]+$/ is quadratic on a long run of them mid-name.
  let end = name.length;
  while (end > 0 && /[\s.]/.test(name[end - 1])) end--;
  name = name.slice(0, end);
  if (name === '') name = fallback;
  if (WINDOWS_DEVICES.test(name)) name = `_${name}`;
  // Trim to a byte budget without splitting a UTF-16 surrogate pair.
  let size = Buffer.byteLength(name, 'utf8');
  if (size > MAX_NAME_BYTES) {
    const chars = Array.from(name);
    while (size > MAX_NAME_BYTES) size -= Buffer.byteLength(chars.pop()!, 'utf8');
    name = chars.join('');
  }
  return name;
}

/** Hands out unique names in one folder: `a.txt`, `a(1).txt`, `a(2).txt`... */
export class NameAllocator {
  private readonly used = new Set<string>();

  take(name: string): string {
    const key = (n: string): string => n.toLowerCase(); // case-insensitive file systems
    if (!this.used.has(key(name))) {
      this.used.add(key(name));
      return name;
    }
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let i = 1; ; i++) {
      const candidate = `${stem}(${i})${ext}`;
      if (!this.used.has(key(candidate))) {
        this.used.add(key(candidate));
        return candidate;
      }
    }
  }
}
