import { generateKeyPairSync } from 'node:crypto';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithBrowser, startBrowser, type TestBrowser } from '../factories/browser';
import { startTestApp, type TestApp } from '../factories/app';
import { inNairobi, SettableClock } from '../factories/clock';
import { call } from './queue.helpers';
import { json, nrbEnvelope, submit } from './transactions.helpers';

/** Reads the QR code in a PNG, decoding the picture in the browser (a canvas) and the code with jsQR. */
async function readQr(page: Page, png: Buffer): Promise<string | undefined> {
  // Browser code as text: the tests compile without the DOM's types.
  const image = (await page.evaluate(`(async () => {
    const picture = new Image();
    picture.src = 'data:image/png;base64,${png.toString('base64')}';
    await picture.decode();
    const canvas = document.createElement('canvas');
    canvas.width = picture.width;
    canvas.height = picture.height;
    const context = canvas.getContext('2d');
    context.drawImage(picture, 0, 0);
    return { width: canvas.width, height: canvas.height, data: Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data) };
  })()`)) as { width: number; height: number; data: number[] };
  return jsQR(Uint8ClampedArray.from(image.data), image.width, image.height)?.data;
}

/**
 * Issue 14.3 in a real browser: the acknowledgment's QR code, photographed (a screenshot) and
 * read back, is the signed receipt; the /verify page says GENUINE for it and NOT GENUINE for it with
 * one character changed. Screenshots of the receipt and of both answers are saved.
 */
describeWithBrowser('a receipt and its check in a browser', (chromiumPath) => {
  let db: TestDatabase;
  let app: TestApp;
  let agency: RestAgencySimulator;
  let browser: TestBrowser;
  let receipt: string | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    app = await startTestApp({
      databaseUrl: db.url,
      clock: new SettableClock(inNairobi('2026-11-24', '10:00')),
      endpointOverrides: { nrb: agency.url },
      env: { KIUNGO_RECEIPT_KEY: key, KIUNGO_SMS_NUMBER: '22141' },
    });
    browser = await startBrowser('receipt and verify', chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await agency?.close();
    await db?.close();
  });

  it('prints a QR code that a camera reads back as the signed receipt', async () => {
    const operator = await app.token('operator');
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    expect((await call(app, 'PUT', '/v1/agencies/nrb/mode', operator, { mode: 'manual', reason: 'NRB platform down since 09:10' })).status).toBe(200);
    const stored = await json(await submit(app, officer, nrbEnvelope({ idNumber: '20481234' })));
    const page = await browser.newPage({ width: 900, height: 1000 });
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${officer}` });
    expect((await page.goto(`${app.url}/v1/transactions/${stored.id}/acknowledgment`))?.status()).toBe(200);
    await expect(page.locator('#reference').textContent()).resolves.toBe(stored.provisionalReference);
    const printed = await page.locator('#receipt-code').textContent();
    await browser.screenshot(page, 'receipt-with-qr');
    receipt = await readQr(page, await page.locator('#receipt svg').screenshot());
    expect(receipt).toBe(printed);
    expect(receipt).toMatch(/^KR1\./);
  });

  it('says GENUINE on /verify for the code read, and NOT GENUINE with one character changed', async () => {
    const page = await browser.newPage({ width: 900, height: 700 });
    await page.goto(`${app.url}/verify?r=${encodeURIComponent(receipt ?? '')}`);
    await page.locator('#verdict.genuine').getByText('GENUINE').waitFor();
    await expect(page.locator('#facts').innerText()).resolves.toContain('Waiting for the agency');
    await browser.screenshot(page, 'verify-genuine');

    const text = receipt ?? '';
    const at = text.length - 10;
    await page.locator('#receipt').fill(text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#verdict.forged').getByText('NOT GENUINE').waitFor();
    await expect(page.locator('#facts').innerText()).resolves.toContain('altered or forged');
    await browser.screenshot(page, 'verify-forged');
  });
});
