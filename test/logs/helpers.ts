import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuditLog } from '../../src/logs/audit-log.js';
import type { IisLog } from '../../src/logs/iis-log.js';
import { parseLogText, type ParsedLog } from '../../src/logs/read-log.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A fixture parsed under its own name (so evidence reads `interim-iis.log:7`). */
export function fixture(name: string): ParsedLog {
  const log = parseLogText(name, readFileSync(FIXTURES + name));
  if (!log) throw new Error(`${name}: not a log`);
  return log;
}

export function audit(name: string): AuditLog {
  const l = fixture(name);
  if (l.kind !== 'audit') throw new Error(`${name}: not an audit log`);
  return l;
}

export function iis(name: string): IisLog {
  const l = fixture(name);
  if (l.kind !== 'iis') throw new Error(`${name}: not an IIS log`);
  return l;
}

export const AUDIT_HEADER =
  'Logging DateTime,User Name,User Host Address,Device Type,Request DateTime,Mac Address,Serial Number,Vendor,Model,Revision,Locale,Requested<FileName;Version;TimeStamp>[# Seperated for Multiple],Response<FileName;Version;TimeStamp>[# Seperated for Multiple]';
export const IIS_FIELDS =
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken';

/** An audit log in memory, from data lines. */
export function auditText(file: string, ...lines: string[]): AuditLog {
  const l = parseLogText(file, [AUDIT_HEADER, ...lines].join('\r\n') + '\r\n');
  if (l?.kind !== 'audit') throw new Error('not an audit log');
  return l;
}

/** An IIS log in memory, from data lines in the seed's column order. */
export function iisText(file: string, ...lines: string[]): IisLog {
  const l = parseLogText(file, ['#Software: Microsoft Internet Information Services 7.0', '#Version: 1.0', IIS_FIELDS, ...lines].join('\r\n') + '\r\n');
  if (l?.kind !== 'iis') throw new Error('not an IIS log');
  return l;
}

/** One IIS line in the seed's column order. */
export function iisLine(at: string, method: string, stem: string, port: number, ip: string, status: string): string {
  return `${at} 10.1.1.90 ${method} ${stem} - ${port} - ${ip} Microsoft+UCPhone+Device ${status} 100`;
}

/** One audit line for the seed's phone, logged at `logged` (month first), offering `response`. */
export function auditLine(logged: string, version: string, response = '', ip = '10.1.1.123', mac = '0021630F207B'): string {
  return `${logged},ruisilva@demo.local,${ip},UCPhone,${logged},"${mac}","C185H001209","LG-Nortel","IP8540","A","ENU",cpe.nbt;${version};01-01-1601 00:00:00,${response}`;
}
