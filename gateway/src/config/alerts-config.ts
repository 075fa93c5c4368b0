import { DEFAULT_ALERT_POLICY, type AgencyAlertThresholds, type AlertPolicy } from '../../../core/alerts/domain/alert-policy';

/** What alerts-config needs of env.schema's reader. */
export interface AlertsEnvReader {
  raw(name: string): string | undefined;
  integer(name: string, fallback: number, min: number, max: number): number;
  url(name: string, protocols: readonly string[], secret: boolean): string | undefined;
  fail(variable: string, expected: string): void;
}

export interface AlertsConfig {
  /** KIUNGO_ALERT_INTERVAL_MS: how often the worker evaluates the rules (and says it is alive). */
  readonly intervalMs: number;
  readonly policy: AlertPolicy;
  /** KIUNGO_ALERT_SMS_TO: on-call phones (E.164), through the SMS driver. */
  readonly smsTo: readonly string[];
  /** KIUNGO_ALERT_SMTP_URL, KIUNGO_ALERT_EMAIL_FROM, KIUNGO_ALERT_EMAIL_TO. Never log smtpUrl (credentials). */
  readonly email?: { readonly smtpUrl: string; readonly from: string; readonly to: readonly string[] };
  /** KIUNGO_ALERT_WEBHOOK_URL */
  readonly webhookUrl?: string;
}

const THRESHOLDS: ReadonlyArray<keyof AgencyAlertThresholds> = ['breakerOpenSeconds', 'errorRatePercent', 'errorRateMinCalls', 'backlog', 'replayStalledSeconds'];
const E164 = /^\+[1-9]\d{7,14}$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * The operations room's alerts (README "Operations room"; deploy/RUNBOOK.md says what each means):
 *   KIUNGO_ALERT_INTERVAL_MS   1000–600000, default 15000
 *   KIUNGO_ALERT_THROTTLE_S    at most one notice per rule and agency (or worker) per this many seconds, default 900
 *   KIUNGO_ALERT_HEARTBEAT_S   a worker silent this long is missing, default 90
 *   KIUNGO_ALERT_RULES         JSON: thresholds for every agency and per agency, e.g.
 *                              {"defaults":{"backlog":1000},"agencies":{"nrb":{"breakerOpenSeconds":60}}}
 *                              (keys: breakerOpenSeconds, errorRatePercent, errorRateMinCalls, backlog, replayStalledSeconds)
 *   KIUNGO_ALERT_SMS_TO        comma-separated E.164 phone numbers
 *   KIUNGO_ALERT_SMTP_URL      smtp:// or smtps:// URL (secret: may hold credentials), with
 *   KIUNGO_ALERT_EMAIL_FROM    and KIUNGO_ALERT_EMAIL_TO (comma-separated addresses)
 *   KIUNGO_ALERT_WEBHOOK_URL   http(s) URL receiving a JSON POST per notice
 * No channel configured: alerts still fire, are audited and shown on /ops.
 */
export function readAlertsConfig(read: AlertsEnvReader): AlertsConfig {
  const policy: AlertPolicy = {
    ...readRules(read),
    workerHeartbeatSeconds: read.integer('KIUNGO_ALERT_HEARTBEAT_S', DEFAULT_ALERT_POLICY.workerHeartbeatSeconds, 5, 86_400),
    throttleSeconds: read.integer('KIUNGO_ALERT_THROTTLE_S', DEFAULT_ALERT_POLICY.throttleSeconds, 0, 86_400),
  };
  const smsTo = list(read.raw('KIUNGO_ALERT_SMS_TO'));
  if (smsTo.some((phone) => !E164.test(phone))) read.fail('KIUNGO_ALERT_SMS_TO', 'comma-separated phone numbers in E.164 form (+2547…), values not shown');
  const smtpUrl = read.url('KIUNGO_ALERT_SMTP_URL', ['smtp:', 'smtps:'], true);
  const from = read.raw('KIUNGO_ALERT_EMAIL_FROM');
  const to = list(read.raw('KIUNGO_ALERT_EMAIL_TO'));
  let email: AlertsConfig['email'];
  const smtpGiven = read.raw('KIUNGO_ALERT_SMTP_URL') !== undefined;
  if (smtpGiven || from !== undefined || to.length > 0) {
    if (!smtpGiven) read.fail('KIUNGO_ALERT_SMTP_URL', 'required with KIUNGO_ALERT_EMAIL_FROM / KIUNGO_ALERT_EMAIL_TO');
    if (from === undefined || !EMAIL.test(from)) read.fail('KIUNGO_ALERT_EMAIL_FROM', 'an e-mail address, required with KIUNGO_ALERT_SMTP_URL');
    if (to.length === 0 || to.some((address) => !EMAIL.test(address))) read.fail('KIUNGO_ALERT_EMAIL_TO', 'comma-separated e-mail addresses, required with KIUNGO_ALERT_SMTP_URL');
    if (smtpUrl !== undefined && from !== undefined) email = { smtpUrl, from, to };
  }
  const webhookUrl = read.url('KIUNGO_ALERT_WEBHOOK_URL', ['https:', 'http:'], true);
  return Object.freeze({
    intervalMs: read.integer('KIUNGO_ALERT_INTERVAL_MS', 15_000, 1000, 600_000),
    policy,
    smsTo,
    ...(email && { email }),
    ...(webhookUrl && { webhookUrl }),
  });
}

function readRules(read: AlertsEnvReader): Pick<AlertPolicy, 'defaults' | 'agencies'> {
  const text = read.raw('KIUNGO_ALERT_RULES');
  const fallback = { defaults: DEFAULT_ALERT_POLICY.defaults, agencies: {} };
  if (text === undefined) return fallback;
  const expected = 'JSON {"defaults": {…}, "agencies": {"<code>": {…}}} with non-negative numbers for ' + THRESHOLDS.join(', ');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    read.fail('KIUNGO_ALERT_RULES', expected);
    return fallback;
  }
  const rules = parsed as { defaults?: unknown; agencies?: unknown };
  const defaults = thresholds(rules?.defaults ?? {});
  const agencies: Record<string, Partial<AgencyAlertThresholds>> = {};
  const agencyEntries = rules?.agencies ?? {};
  let ok = typeof parsed === 'object' && parsed !== null && Object.keys(parsed).every((key) => key === 'defaults' || key === 'agencies') && defaults !== null;
  if (typeof agencyEntries !== 'object' || agencyEntries === null) ok = false;
  else {
    for (const [code, entry] of Object.entries(agencyEntries)) {
      const parsedEntry = thresholds(entry);
      if (parsedEntry === null) ok = false;
      else agencies[code] = parsedEntry;
    }
  }
  if (!ok) {
    read.fail('KIUNGO_ALERT_RULES', expected);
    return fallback;
  }
  return { defaults: { ...DEFAULT_ALERT_POLICY.defaults, ...defaults }, agencies };
}

function thresholds(value: unknown): Partial<AgencyAlertThresholds> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const out: Partial<AgencyAlertThresholds> = {};
  for (const [key, number] of Object.entries(value)) {
    if (!(THRESHOLDS as readonly string[]).includes(key) || typeof number !== 'number' || !Number.isFinite(number) || number < 0) return null;
    out[key as keyof AgencyAlertThresholds] = number;
  }
  return out;
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}
