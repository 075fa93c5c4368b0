/**
 * A catalogue holding only the demo KRA agency (contracts/catalogue/kra), copied to a temporary
 * folder with fast timeouts and retries for tests, and WS-Security when asked for. The WSDL,
 * schemas and fixtures are the real ones.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const KRA_FOLDER = path.resolve(__dirname, '..', '..', '..', 'contracts', 'catalogue', 'kra');
export const KRA_WSDL = path.join(KRA_FOLDER, 'wsdl', 'kra-pin-registration.wsdl');

export interface KraTestCatalogue {
  /** The catalogue folder (holding `kra/`). */
  dir: string;
  remove(): void;
}

export interface KraTestCatalogueOptions {
  usernameEnv?: string;
  passwordEnv?: string;
  passwordType?: 'text' | 'digest';
  /** Fields merged into the agency file's adapter block (e.g. a faultMap). */
  adapter?: Record<string, unknown>;
}

export function kraTestCatalogue(options: KraTestCatalogueOptions = {}): KraTestCatalogue {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-kra-catalogue-'));
  const folder = path.join(dir, 'kra');
  cpSync(KRA_FOLDER, folder, { recursive: true });
  const file = path.join(folder, 'agency.json');
  const agency = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  if (options.usernameEnv && options.passwordEnv) {
    agency.adapter.security = { type: 'username-token', usernameEnv: options.usernameEnv, passwordEnv: options.passwordEnv, passwordType: options.passwordType ?? 'digest' };
  }
  agency.adapter = { ...agency.adapter, ...options.adapter };
  agency.resilience = {
    // Generous, so a loaded box's slow answer is not a timeout; the hanging agency waits them out.
    timeoutMs: 3000,
    inlineTimeoutMs: 2000,
    concurrency: 8,
    queueLimit: 32,
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 1500, rollingCountTimeoutMs: 5000 },
  };
  agency.retry = { maxAttempts: 4, baseDelayMs: 150, maxDelayMs: 500 };
  writeFileSync(file, JSON.stringify(agency, null, 2));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An ok request fixture of the KRA PIN registration service. */
export function kraPinApplication(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const fixture = path.join(KRA_FOLDER, 'fixtures', 'kra-pin-registration.request', 'ok', 'salaried-employee.json');
  return { ...(JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, unknown>), ...overrides };
}

/** A transaction envelope (POST /v1/transactions) for KRA PIN registration at a counter. */
export function kraTransaction(payload: Record<string, unknown> = kraPinApplication()): Record<string, unknown> {
  return {
    service: 'kra-pin-registration',
    channel: 'counter',
    centre: 'NRB-GPO',
    citizen: { idNumber: String(payload.idNumber), phone: '+254712345678' },
    payload,
  };
}
