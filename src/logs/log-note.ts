// A problem met while reading a log line: a value, never an exception (style
// habit 3), with the file and 1-based line so a person can open it.

/** Something a log parser could not read as it expected. */
export interface LogNote {
  file: string;
  /** 1-based line number; 0 for the file as a whole. */
  line: number;
  /** Stable code, namespaced: `iis.fields-capped`, `audit.unbalanced-quote`, `log.line-too-long`. */
  code: string;
  detail: string;
}
