// MAC addresses reach the service in more than one spelling (0021630F207B in a
// request body, 00-21-63-0F-20-7B on a sticker, 00:21:63:0f:20:7b from a
// capture). The service compares them without separators and case
// (shared/protocol/ucdevice-upx.md section 8), so the model keeps one form.

/** `00-21-63-0f-20-7b` -> `0021630F207B`; undefined when it is not 12 hex digits once separators go. */
export function normalizeMac(raw: string): string | undefined {
  const s = raw.trim().replace(/[\s:.-]/g, '').toUpperCase();
  return /^[0-9A-F]{12}$/.test(s) ? s : undefined;
}

/** `0021630F207B` → `00:21:63:0f:20:7b`, as Wireshark shows it; anything else unchanged. */
export function macText(mac: string): string {
  return /^[0-9A-Fa-f]{12}$/.test(mac) ? mac.match(/../g)!.join(':').toLowerCase() : mac;
}
