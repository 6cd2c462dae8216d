// The TLS key options shared by every command that reads captures, as
// Wireshark takes them: RSA private keys (PEM PKCS#1/PKCS#8, encrypted PEM,
// PKCS#12/.pfx), each optionally scoped to a server ip:port, and an NSS key
// log (--keylog, or the SSLKEYLOGFILE environment variable).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { TlsKeys } from '../pipeline.js';
import { KeyLog } from '../tls/key-log.js';
import { loadPkcs12Key } from '../tls/pkcs12.js';
import { loadRsaKey, parseKeyScope, type RsaKeyEntry } from '../tls/rsa-key.js';
import { UsageError } from './io.js';

export interface TlsOptionValues {
  rsaKey?: string[];
  password?: string;
  keylog?: string;
}

/** Key files are small; refuse to read anything that is not. */
const MAX_KEY_FILE = 1024 * 1024;
const MAX_KEY_LOG = 256 * 1024 * 1024;

export function addTlsOptions(cmd: Command): Command {
  return cmd
    .option(
      '--rsa-key <file[@ip:port]>',
      "server's RSA private key (PEM, PKCS#8, encrypted PEM, or .p12/.pfx), optionally only for that server; repeatable",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--password <password>', 'password of an encrypted key or .p12/.pfx file')
    .option('--keylog <file>', 'TLS key log (NSS format, as SSLKEYLOGFILE writes); default: $SSLKEYLOGFILE');
}

function readSmall(path: string, max: number, what: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  if (data.length > max) throw new UsageError(`${what} ${path}: larger than ${max} bytes, not a ${what}`);
  return data;
}

/** `file@ip:port` → file and scope; a path with '@' but no valid scope after it is a plain path. */
function splitScope(arg: string): { file: string; scope: { ip?: string; port?: number } } {
  const at = arg.lastIndexOf('@');
  if (at > 0) {
    const scope = parseKeyScope(arg.slice(at + 1));
    if (scope !== null && (scope.ip !== undefined || scope.port !== undefined)) return { file: arg.slice(0, at), scope };
  }
  return { file: arg, scope: {} };
}

export function loadTlsKeys(o: TlsOptionValues, env: NodeJS.ProcessEnv): TlsKeys {
  const rsaKeys: RsaKeyEntry[] = [];
  for (const arg of o.rsaKey ?? []) {
    const { file, scope } = splitScope(arg);
    const data = readSmall(file, MAX_KEY_FILE, 'key file');
    const pkcs12 = /\.(p12|pfx)$/i.test(file);
    let loaded = pkcs12 ? loadPkcs12Key(data, o.password ?? '', file) : loadRsaKey(data, { password: o.password, label: file });
    // A DER file without a telling name may still be PKCS#12.
    if (!loaded.ok && !pkcs12 && data[0] === 0x30) {
      const asP12 = loadPkcs12Key(data, o.password ?? '', file);
      if (asP12.ok) loaded = asP12;
    }
    if (!loaded.ok) throw new UsageError(loaded.detail);
    rsaKeys.push({ key: loaded.value, ...scope });
  }
  const keyLog = new KeyLog();
  const logPath = o.keylog ?? env.SSLKEYLOGFILE;
  if (logPath) {
    let text: string | undefined;
    if (o.keylog !== undefined) text = readSmall(logPath, MAX_KEY_LOG, 'key log').toString('utf8');
    else {
      try {
        // From the environment: a stale or missing file is not the user's mistake here.
        text = readFileSync(logPath, 'utf8');
      } catch {
        text = undefined;
      }
    }
    if (text !== undefined) keyLog.addFromText(text, 'key-log');
  }
  return { rsaKeys, keyLog };
}
