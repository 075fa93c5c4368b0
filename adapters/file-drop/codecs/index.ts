import type { FileCodec, FileFormat } from '../file-drop-document';
import { csvCodec } from './csv.codec';
import { jsonCodec } from './json.codec';
import { xmlCodec } from './xml.codec';

const CODECS: Record<FileFormat, FileCodec> = { json: jsonCodec, xml: xmlCodec, csv: csvCodec };

export function codecFor(format: FileFormat): FileCodec {
  return CODECS[format];
}
