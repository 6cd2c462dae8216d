// The codes the ucdevice.upx codec reports (style habit 11: one declared
// table per layer). Errors stop decoding; notes ride along with a decoded
// body. The codes are a contract: diagnose/ and the reporters refer to them.

/** Every code decodeUpx can return, with whether it stops decoding and what it means. */
export const UPX_CODES = {
  'upx.empty': { stops: true, meaning: 'the body is empty or only white space' },
  'upx.not-xml': { stops: true, meaning: 'the body does not start with XML markup' },
  'upx.too-large': { stops: true, meaning: 'the body is over the size cap and was not read' },
  'upx.doctype-refused': { stops: true, meaning: 'a DOCTYPE or DTD declaration was refused (no entity expansion)' },
  'upx.too-deep': { stops: true, meaning: 'elements nest deeper than the depth cap' },
  'upx.truncated': { stops: true, meaning: 'the body ends before the document does' },
  'upx.malformed': { stops: true, meaning: 'the body is not well-formed XML at the given offset' },
  'upx.unknown-root': { stops: true, meaning: 'the root element is neither Request nor Response' },
  'upx.internal': { stops: true, meaning: 'a decoder bug; the body is reported undecodable' },
  'upx.bad-utf8': { stops: false, meaning: 'invalid UTF-8, replaced by U+FFFD' },
  'upx.odd-length': { stops: false, meaning: 'a UTF-16 body ends with half a character' },
  'upx.trailing-data': { stops: false, meaning: 'data after the root element, ignored' },
  'upx.bare-ampersand': { stops: false, meaning: "a '&' that starts no entity, kept as data" },
  'upx.unknown-entity': { stops: false, meaning: 'an entity other than the five predefined ones, kept as written' },
  'upx.root-mismatch': { stops: false, meaning: 'decoded as the kind asked for, not the one the root names' },
  'upx.duplicate-field': { stops: false, meaning: 'a field given twice; the first value is kept' },
  'upx.bad-mac': { stops: false, meaning: 'MacAddress is not 12 hex digits' },
  'upx.bad-number': { stops: false, meaning: 'Downloads is not a decimal count' },
  'upx.unknown-capped': { stops: false, meaning: 'more unknown fields than are listed' },
  'upx.notes-capped': { stops: false, meaning: 'more notes than are kept' },
} as const;

export type UpxCode = keyof typeof UPX_CODES;
