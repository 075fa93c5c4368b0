/**
 * The printable acknowledgment a citizen takes home when a transaction is stored for later
 * (store-and-forward) or handled on paper: the provisional reference above all. HTML for the
 * counter's browser, and a one-page PDF written by hand (PDF 1.4, Helvetica, no library).
 */
export interface AcknowledgmentFacts {
  provisionalRef: string;
  transactionId: string;
  serviceName: string;
  agencyName: string;
  centre: string | null;
  /** Masked: the acknowledgment may be left on a counter. */
  idNumberMasked: string;
  receivedAt: Date;
  instructions: string | null;
}

const NAIROBI = { timeZone: 'Africa/Nairobi', dateStyle: 'long', timeStyle: 'short' } as const;

function lines(facts: AcknowledgmentFacts): Array<[string, string]> {
  return [
    ['Provisional reference', facts.provisionalRef],
    ['Service', facts.serviceName],
    ['Agency', facts.agencyName],
    ['Centre', facts.centre ?? '-'],
    ['National ID', facts.idNumberMasked],
    ['Received', `${facts.receivedAt.toLocaleString('en-KE', NAIROBI)} (EAT)`],
    ['Transaction', facts.transactionId],
  ];
}

const NOTE =
  'Your application has been recorded. The agency system is unavailable, so it will be submitted as soon as the agency is back; ' +
  'you will receive an SMS with the final reference. Keep this reference.';

export function acknowledgmentHtml(facts: AcknowledgmentFacts): string {
  const rows = lines(facts)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n      ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acknowledgment ${escapeHtml(facts.provisionalRef)}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}h1{font-size:1.3em}.ref{font-size:2em;font-family:monospace;letter-spacing:.1em}th{text-align:left;padding-right:1em}</style></head>
<body>
  <h1>Acknowledgment of application</h1>
  <p class="ref">${escapeHtml(facts.provisionalRef)}</p>
  <table>
      ${rows}
  </table>
  <p>${escapeHtml(NOTE)}</p>
  ${facts.instructions ? `<p><strong>For the officer:</strong> ${escapeHtml(facts.instructions)}</p>` : ''}
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A one-page A4 PDF with the same facts. Text outside printable ASCII is replaced by `?`. */
export function acknowledgmentPdf(facts: AcknowledgmentFacts): Buffer {
  const text: Array<[number, number, string]> = [[18, 780, 'Acknowledgment of application'], [28, 740, facts.provisionalRef]];
  let y = 700;
  for (const [label, value] of lines(facts)) {
    text.push([11, y, `${label}: ${value}`]);
    y -= 18;
  }
  for (const line of wrap(NOTE, 90)) {
    y -= 14;
    text.push([10, y, line]);
  }
  const content = text.map(([size, top, line]) => `BT /F1 ${size} Tf 56 ${top} Td (${pdfString(line)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

function pdfString(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
