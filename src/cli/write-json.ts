// A command's JSON document onto stdout, in pieces, at the pace stdout takes it.
import { writeJsonPieces, writeJsonPiecesPaced } from '../report/json-pieces.js';
import type { CliIo } from './io.js';

export async function writeJson(doc: Record<string, unknown>, io: Pick<CliIo, 'stdout' | 'stdoutRoom'>): Promise<void> {
  if (io.stdoutRoom) await writeJsonPiecesPaced(doc, io.stdout, io.stdoutRoom);
  else writeJsonPieces(doc, io.stdout);
}
