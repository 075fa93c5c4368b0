import { acknowledgmentHtml, acknowledgmentPdf, type AcknowledgmentFacts } from './acknowledgment';

const facts: AcknowledgmentFacts = {
  provisionalRef: 'NRB-7K4Q-2P',
  transactionId: '0e4ac851-346e-4ebf-91cb-1d27eccdf9cf',
  serviceName: 'Replacement of a lost national ID card',
  agencyName: 'National Registration Bureau',
  centre: 'NRB-GPO',
  idNumberMasked: '****5678',
  receivedAt: new Date('2026-03-02T08:00:00Z'),
  instructions: null,
};

describe('acknowledgment', () => {
  it('escapes everything it prints in HTML', () => {
    const html = acknowledgmentHtml({ ...facts, serviceName: '<script>alert(1)</script>' });
    expect(html).toContain('NRB-7K4Q-2P');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('11:00'); // 08:00 UTC is 11:00 in Nairobi
  });

  it('writes a PDF whose cross-reference table points at each object', () => {
    const pdf = acknowledgmentPdf({ ...facts, centre: 'Kencom (Nairobi) \\ branch' }).toString('latin1');
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
});
