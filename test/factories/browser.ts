/**
 * A real browser for page tests: playwright-core driving Debian's Chromium (/usr/bin/chromium,
 * installed by .ci/run's ensure_chromium), never a browser build of Playwright's own (there is no
 * download here). One home for the launch flags: without the background-networking ones Chromium
 * keeps trying Google's hosts, which this machine's closed network refuses many at a time.
 *
 *   describeWithBrowser('the ops page', (chromiumPath) => {
 *     let browser: TestBrowser;
 *     beforeAll(async () => (browser = await startBrowser('ops-page', chromiumPath)));
 *     afterAll(() => browser.close());
 *     it('…', async () => { const page = await browser.newPage(); …; await browser.screenshot(page, 'healthy'); });
 *   });
 *
 * Screenshots go to `.tmp/screenshots/<suite>/` (printed when the browser starts and with every
 * shot), one PNG per call, so a person can look at what the test saw.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describeWithService } from './services';

/** Where Debian's `chromium` package puts the browser; `KIUNGO_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.KIUNGO_CHROMIUM?.trim() || '/usr/bin/chromium';

/** What Chromium is started with (besides Playwright's own `--headless` and automation flags). */
export const CHROMIUM_FLAGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox', // CI runs as root, where Chromium's sandbox refuses to start
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

const SCREENSHOT_ROOT = path.resolve(__dirname, '..', '..', '.tmp', 'screenshots');

export interface TestBrowser {
  /** The folder this browser's screenshots are saved in. */
  readonly screenshotDir: string;
  /** A new page in a new context (no shared cookies or storage), laptop-sized unless told. */
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  /** Saves a full-page PNG as `<screenshotDir>/<NN>-<name>.png`, prints the path and returns it. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A suite that needs the real browser: skipped (and listed at the end of the run) when Chromium
 * is not installed, a failure instead when KIUNGO_REQUIRE_SERVICES=1 (CI).
 */
export function describeWithBrowser(name: string, suite: (chromiumPath: string) => void): void {
  describeWithService(name, `chromium at ${CHROMIUM_PATH}`, existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : undefined, suite);
}

/** Starts Chromium headless with a fresh, empty profile and a screenshot folder named after `suite`. */
export async function startBrowser(suite: string, executablePath = CHROMIUM_PATH): Promise<TestBrowser> {
  const slug = suite.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'browser';
  const screenshotDir = path.join(SCREENSHOT_ROOT, slug);
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  console.log(`[browser] screenshots of "${suite}" go to ${screenshotDir}`);

  // launch() gives Chromium a fresh, empty --user-data-dir (a new temporary folder, removed at
  // close); it refuses one passed in `args`, which only launchPersistentContext takes.
  const browser: Browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
  const contexts: BrowserContext[] = [];
  let shots = 0;
  return {
    screenshotDir,
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1366, height: options.height ?? 768 },
        locale: 'en-KE',
        timezoneId: 'Africa/Nairobi',
      });
      contexts.push(context);
      return context.newPage();
    },
    async screenshot(page, name) {
      shots += 1;
      const file = path.join(screenshotDir, `${String(shots).padStart(2, '0')}-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`[browser] screenshot: ${file}`);
      return file;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
