import * as fs from 'node:fs';

export type JsonFileRead = { ok: true; value: unknown } | { ok: false; message: string };

/** Reads and parses a JSON file; a failure says where (line and column), never throws. */
export function readJsonFile(file: string): JsonFileRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `is not valid JSON: ${withLineAndColumn((error as Error).message, text)}` };
  }
}

/** V8 reports a character offset; an author needs a line and a column. */
function withLineAndColumn(message: string, text: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
