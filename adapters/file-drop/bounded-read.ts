/**
 * Answer files come from agencies and can be anything: a 2 GB export dropped by mistake, a file
 * still growing. They are read as a stream of chunks that ends in an UnreadableFileError as soon as
 * it passes the agency's `maxAnswerBytes`, so a file is never held in memory beyond that cap.
 */
import { UnreadableFileError } from './file-drop-document';

export class AnswerTooLargeError extends UnreadableFileError {
  constructor(maxBytes: number, size?: number) {
    super(`the answer is ${size === undefined ? 'larger than' : `${size} bytes, over`} the cap of ${maxBytes} bytes (maxAnswerBytes)`);
    this.name = 'AnswerTooLargeError';
  }
}

export async function* boundedChunks(chunks: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > maxBytes) throw new AnswerTooLargeError(maxBytes);
    yield chunk;
  }
}

/** Whole content as one buffer, at most `maxBytes` (for formats read whole once bounded). */
export async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** One buffer as a stream of chunks (requests, tests). */
export async function* chunksOf(content: Buffer): AsyncGenerator<Buffer> {
  yield content;
}
