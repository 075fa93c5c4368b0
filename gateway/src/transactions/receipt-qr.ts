/** qrcode (with pngjs) is loaded at the first signed receipt: a deployment without a receipt key never draws one. */
let qrcode: typeof import('qrcode') | undefined;

/** A QR code as its dark modules, drawn by us as squares: an SVG path for the page, `re` rectangles for the PDF. */
export interface QrModules {
  /** Modules per side, without the quiet zone. */
  size: number;
  dark: Array<[column: number, row: number]>;
}

/** The quiet zone the standard asks for around the symbol, in modules. */
const QUIET = 4;

/** Level M: the symbol survives a crease or a smudge on a printed receipt. */
export function qrModules(text: string): QrModules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  qrcode ??= require('qrcode') as typeof import('qrcode');
  const { modules } = qrcode.create(text, { errorCorrectionLevel: 'M' });
  const dark: Array<[number, number]> = [];
  for (let row = 0; row < modules.size; row++) for (let column = 0; column < modules.size; column++) if (modules.get(row, column)) dark.push([column, row]);
  return { size: modules.size, dark };
}

/** Inline SVG, one path, `side` CSS pixels square (quiet zone included). */
export function qrSvg(qr: QrModules, side: number): string {
  const box = qr.size + 2 * QUIET;
  const path = qr.dark.map(([x, y]) => `M${x + QUIET} ${y + QUIET}h1v1h-1z`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box} ${box}" width="${side}" height="${side}" shape-rendering="crispEdges" role="img" aria-label="Receipt QR code"><rect width="${box}" height="${box}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

/** PDF content operators filling each dark module as a square; (left, bottom) and `side` in points, quiet zone included. */
export function qrPdfOperators(qr: QrModules, left: number, bottom: number, side: number): string {
  const module = side / (qr.size + 2 * QUIET);
  const top = bottom + side - QUIET * module;
  const n = (value: number) => Number(value.toFixed(3));
  const squares = qr.dark.map(([x, y]) => `${n(left + (x + QUIET) * module)} ${n(top - (y + 1) * module)} ${n(module)} ${n(module)} re`);
  return `q 0 g\n${squares.join('\n')}\nf Q`;
}
