// A small check-in capture built here, byte by byte, carrying every kind of
// identifier a ticket must hide: a user name in Basic credentials and in a
// SIP URI, host names in Host and in the response's URLs, a MAC in three
// notations, a serial number, and the addresses in the headers.
import { writeFileSync } from 'node:fs';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { internetChecksum } from '../../src/ticket/packet-rewrite.js';

export const PHONE_MAC = '00:1b:2c:3d:4e:5f';
export const SERVER_MAC = '00:50:56:aa:bb:cc';
export const PHONE_IP = '172.16.40.21';
export const SERVER_IP = '172.16.1.5';
export const SERIAL = 'ZX9876543';
export const HOSTS = ['ocspool.fabrikam.net', 'dl01.fabrikam.net'];
export const USER = 'alice.smith';
export const PASSWORD = 'S3cret!';
export const CREDENTIALS = Buffer.from(`FABRIKAM\\${USER}:${PASSWORD}`).toString('base64');

const REQUEST_BODY = `<?xml version="1.0" encoding="utf-8"?>
<Request>
  <DeviceType>UCPhone</DeviceType>
  <MacAddress>00-1B-2C-3D-4E-5F</MacAddress>
  <SerialNumber>${SERIAL}</SerialNumber>
  <Vendor>Polycom</Vendor>
  <Model>CX700</Model>
  <Revision>A</Revision>
  <Locale>ENU</Locale>
  <Files><File><FileName>cpe.nbt</FileName><Version>1.0.522.101</Version></File></Files>
</Request>
`;

const RESPONSE_BODY = `<?xml version="1.0" encoding="utf-8"?>
<Response>
  <ServerVersion>3.5.6907.0</ServerVersion>
  <ServiceVersion>3.5.6907.0</ServiceVersion>
  <UpdatesServerInternalUrl>https://ocspool.fabrikam.net/RequestHandler/ucdevice.upx</UpdatesServerInternalUrl>
  <UpdatesServerExternalUrl>https://ocspool.fabrikam.net/RequestHandlerExt/ucdevice.upx</UpdatesServerExternalUrl>
  <Downloads>1</Downloads>
  <Files><File><FileName>CPE.nbt</FileName><Version>3.5.6907.0</Version><Url>http://dl01.fabrikam.net/DeviceUpdateFiles_Int/Polycom/CX700/A/ENU/3.5.6907.0/CPE/CPE.nbt</Url></File></Files>
</Response>
`;

function request(): Buffer {
  const body = Buffer.from(REQUEST_BODY);
  return Buffer.concat([
    Buffer.from(
      'POST /RequestHandler/ucdevice.upx HTTP/1.1\r\n' +
        'Host: ocspool.fabrikam.net\r\n' +
        `Authorization: Basic ${CREDENTIALS}\r\n` +
        `X-Caller: sip:${USER}@fabrikam.net\r\n` +
        'User-Agent: Microsoft UCPhone Device\r\n' +
        'Content-Type: text/xml\r\n' +
        `Content-Length: ${body.length}\r\n\r\n`,
    ),
    body,
  ]);
}

function response(): Buffer {
  const body = Buffer.from(RESPONSE_BODY);
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
}

function macBytes(m: string): Buffer {
  return Buffer.from(m.replace(/:/g, ''), 'hex');
}

function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

/** One Ethernet/IPv4/TCP frame with true checksums. */
function tcpFrame(fromPhone: boolean, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const [smac, dmac, sip, dip] = fromPhone ? [PHONE_MAC, SERVER_MAC, PHONE_IP, SERVER_IP] : [SERVER_MAC, PHONE_MAC, SERVER_IP, PHONE_IP];
  const [sport, dport] = fromPhone ? [50123, 80] : [80, 50123];
  const eth = Buffer.concat([macBytes(dmac), macBytes(smac), Buffer.from([0x08, 0x00])]);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(64240, 14);
  const seg = Buffer.concat([tcp, payload]);
  const pseudo = Buffer.concat([ipBytes(sip), ipBytes(dip), Buffer.from([0, 6]), Buffer.from([seg.length >> 8, seg.length & 0xff])]);
  seg.writeUInt16BE(internetChecksum(Buffer.concat([pseudo, seg])), 16);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + seg.length, 2);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = 64;
  ip[9] = 6;
  ipBytes(sip).copy(ip, 12);
  ipBytes(dip).copy(ip, 16);
  ip.writeUInt16BE(internetChecksum(ip), 10);
  return Buffer.concat([eth, ip, seg]);
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

/** Write the capture to `path` (pcapng). */
export function writeSyntheticCapture(path: string): void {
  const req = request();
  const res = response();
  const c = 1000;
  const s = 5000;
  const frames: Array<[boolean, number, number, number, Buffer]> = [
    [true, c, 0, SYN, Buffer.alloc(0)],
    [false, s, c + 1, SYN | ACK, Buffer.alloc(0)],
    [true, c + 1, s + 1, ACK, Buffer.alloc(0)],
    [true, c + 1, s + 1, PSH | ACK, req],
    [false, s + 1, c + 1 + req.length, PSH | ACK, res],
    [true, c + 1 + req.length, s + 1 + res.length, FIN | ACK, Buffer.alloc(0)],
    [false, s + 1 + res.length, c + 2 + req.length, FIN | ACK, Buffer.alloc(0)],
    [true, c + 2 + req.length, s + 2 + res.length, ACK, Buffer.alloc(0)],
  ];
  const w = new PcapngWriter('upxray test');
  const parts = [w.header()];
  frames.forEach(([fromPhone, seq, ack, flags, payload], i) => {
    parts.push(w.packet({ linkType: 1, timestampNs: 1_600_000_000_000_000_000n + BigInt(i) * 1_000_000n, data: tcpFrame(fromPhone, seq, ack, flags, payload) }));
  });
  writeFileSync(path, Buffer.concat(parts));
}

/** Every spelling of every identifier the capture holds, as text; plus binary forms for the packets. */
export function identifierNeedles(): { text: string[]; binary: Buffer[] } {
  const macForms = (m: string) => {
    const hex = m.replace(/:/g, '');
    const pairs = hex.match(/../g)!;
    const forms = [pairs.join(':'), pairs.join('-'), hex, `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8)}`];
    return forms;
  };
  return {
    text: [...macForms(PHONE_MAC), ...macForms(SERVER_MAC), PHONE_IP, SERVER_IP, SERIAL, ...HOSTS, 'fabrikam', USER, PASSWORD, CREDENTIALS],
    binary: [macBytes(PHONE_MAC), macBytes(SERVER_MAC), ipBytes(PHONE_IP), ipBytes(SERVER_IP)],
  };
}
