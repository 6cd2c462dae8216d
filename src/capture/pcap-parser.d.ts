// Types for the parts of pcap-parser 0.2 that src/capture/pcap.ts uses. The
// package ships none. Its parser listens to an input stream's 'data' events and
// emits its own events synchronously from inside them.
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';

  namespace pcapParser {
    /** The smallest input the parser accepts: it calls pause, resume and on. */
    interface InputStream {
      pause(): unknown;
      resume(): unknown;
      on(event: string, listener: (...args: any[]) => void): unknown;
    }

    interface GlobalHeader {
      magicNumber: number;
      majorVersion: number;
      minorVersion: number;
      gmtOffset: number;
      timestampAccuracy: number;
      snapshotLength: number;
      linkLayerType: number;
    }

    interface PacketHeader {
      timestampSeconds: number;
      /** Microseconds, or whatever unit the file's magic says (the parser knows only microseconds). */
      timestampMicroseconds: number;
      capturedLength: number;
      originalLength: number;
    }

    interface Packet {
      header: PacketHeader;
      data: Buffer;
    }

    interface Parser extends EventEmitter {
      on(event: 'globalHeader', listener: (h: GlobalHeader) => void): this;
      on(event: 'packet', listener: (p: Packet) => void): this;
      on(event: 'error', listener: (err: Error) => void): this;
      on(event: 'end', listener: () => void): this;
      on(event: string, listener: (...args: any[]) => void): this;
    }

    function parse(input: string | InputStream): Parser;
  }

  export = pcapParser;
}
