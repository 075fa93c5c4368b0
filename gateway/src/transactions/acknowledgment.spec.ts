import jsQR from 'jsqr';
import { acknowledgmentHtml, acknowledgmentPdf, type AcknowledgmentFacts } from './acknowledgment';

const receipt = `KR1.0123456789abcdef.${Buffer.from('{"type":"kiungo.receipt.v1"}'.repeat(8)).toString('base64url')}.${'A'.repeat(86)}`;

const facts: AcknowledgmentFacts = {
  provisionalRef: 'NRB-7K4Q-2P',
  transactionId: '0e4ac851-346e-4ebf-91cb-1d27eccdf9cf',
  serviceName: 'Replacement of a lost national ID card',
  agencyName: 'National Registration Bureau',
  centre: 'NRB-GPO',
  centreName: 'GPO Nairobi',
  idNumberMasked: '****5678',
  receivedAt: new Date('2026-03-02T08:00:00Z'),
  instructions: null,
  receipt,
  followUp: { ussdCode: '*191*9#', smsNumber: '22141' },
};

/** Paints filled squares (x, y from the top left, side) on a white RGBA canvas and reads the QR code in it. */
function readQr(squares: Array<[number, number, number]>, width: number, height: number): string | undefined {
  const pixels = new Uint8ClampedArray(width * height * 4).fill(255);
  for (const [left, top, side] of squares) {
    for (let y = Math.round(top); y < Math.round(top + side); y++) {
      for (let x = Math.round(left); x < Math.round(left + side); x++) pixels.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  return jsQR(pixels, width, height)?.data;
}

describe('acknowledgment', () => {
  it('escapes everything it prints in HTML', () => {
    const html = acknowledgmentHtml({ ...facts, serviceName: '<script>alert(1)</script>' });
    expect(html).toContain('NRB-7K4Q-2P');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('11:00'); // 08:00 UTC is 11:00 in Nairobi
  });

  it('prints the centre, how to follow the application, and a QR code that reads back as the receipt', () => {
    const html = acknowledgmentHtml(facts);
    expect(html).toContain('Huduma Centre GPO Nairobi');
    expect(html).toContain('dial *191*9# and choose &quot;Where is my application?&quot;, or SMS STATUS NRB-7K4Q-2P to 22141');
    expect(html).toContain(`<p class="code" id="receipt-code">${receipt}</p>`);
    const path = /<path d="([^"]+)"/.exec(html)?.[1] ?? '';
    const box = Number(/viewBox="0 0 (\d+) \d+"/.exec(html)?.[1]);
    const scale = 4;
    const squares = [...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m): [number, number, number] => [Number(m[1]) * scale, Number(m[2]) * scale, scale]);
    expect(readQr(squares, box * scale, box * scale)).toBe(receipt);
    expect(acknowledgmentHtml({ ...facts, receipt: null })).not.toContain('<svg');
  });

  it('writes a PDF whose cross-reference table points at each object', () => {
    const pdf = acknowledgmentPdf({ ...facts, centre: 'Kencom (Nairobi) \\ branch', centreName: null }).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((offset, i) => expect(pdf.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    const length = Number(/\/Length (\d+) >>\nstream\n/.exec(pdf)?.[1]);
    const body = pdf.slice(pdf.indexOf('stream\n') + 7, pdf.indexOf('\nendstream'));
    expect(body.length).toBe(length);
    expect(pdf).toContain('(Centre: Kencom \\(Nairobi\\) \\\\ branch)');
  });

  it('draws the QR code in the PDF as vector squares that read back as the receipt, the reference in 40-point type', () => {
    const pdf = acknowledgmentPdf(facts).toString('latin1');
    expect(pdf).toContain('BT /F1 40 Tf 56 730 Td (NRB-7K4Q-2P) Tj ET');
    expect(pdf).toContain('(Centre: GPO Nairobi \\(NRB-GPO\\))');
    // Page points (origin bottom left) to pixels (origin top left), 3 pixels per point.
    const scale = 3;
    const squares = [...pdf.matchAll(/^([\d.]+) ([\d.]+) ([\d.]+) [\d.]+ re$/gm)].map(
      ([, x, y, side]): [number, number, number] => [Number(x) * scale, (842 - Number(y) - Number(side)) * scale, Number(side) * scale],
    );
    expect(squares.length).toBeGreaterThan(500);
    // Only the code's area (and a quiet zone), so the reader has less to scan.
    const left = Math.min(...squares.map(([x]) => x)) - 40;
    const top = Math.min(...squares.map(([, y]) => y)) - 40;
    const side = Math.max(...squares.map(([x, , s]) => x + s)) - left + 40;
    expect(readQr(squares.map(([x, y, s]) => [x - left, y - top, s]), Math.ceil(side), Math.ceil(side))).toBe(receipt);
  });
});
