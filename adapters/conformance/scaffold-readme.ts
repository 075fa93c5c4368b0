/** The README.md of a scaffolded agency folder: JSON has no comments, so every field is explained here. */
import type { ScaffoldKind, ScaffoldNames } from './scaffold-templates';

const ADAPTER_FIELDS: Record<ScaffoldKind, string> = {
  rest: `- \`adapter.kind\`: \`rest\` — JSON over HTTP (undici).
- \`adapter.baseUrl\`: the agency's base URL (here: the REST simulator, \`npx ts-node --transpile-only test/simulators/rest-agency/main.ts --port 4101\`).
- \`adapter.baseUrlEnv\`: an environment variable that, when set, replaces \`baseUrl\` (sandbox vs production).
- \`adapter.auth\`: \`{ "type": "none" }\`, or \`bearer\` (\`tokenEnv\`), \`basic\` (\`usernameEnv\`, \`passwordEnv\`), \`api-key\` (\`header\`, \`keyEnv\`), \`mtls\` (\`certFileEnv\`, \`keyFileEnv\`, \`caFileEnv\`). Secrets are named by environment variable, never written here.
- \`adapter.healthPath\` / \`adapter.statusPath\`: probes; \`statusPath\` contains \`{agencyRef}\`.
- \`adapter.idempotencyHeader\` (default \`Idempotency-Key\`): carries Kiungo's transaction id, so a retry never creates a second application.
- \`adapter.businessRejectStatuses\` (default 400, 404, 409, 422): the 4xx answers that mean "the agency said no".
- \`services[].operation\`: \`method\`, \`path\`, \`requestMap\` (agency field ← JSON pointer into the citizen's payload), \`agencyRefPointer\` (where the agency's reference is in its answer), \`resultMap\` (our result field ← JSON pointer into the answer), \`rejectCodePointer\` / \`rejectReasonPointer\`.`,
  soap: `- \`adapter.kind\`: \`soap\` — SOAP 1.1/1.2 through node-soap.
- \`adapter.wsdl\`: the WSDL, a file in this folder (\`wsdl/agency.wsdl\`) or an http(s) URL. Replace the starter WSDL with the agency's.
- \`adapter.endpoint\`: replaces the WSDL's \`soap:address\`, which is often an internal host name (here: the SOAP simulator, \`npx ts-node --transpile-only test/simulators/soap-agency/main.ts --port 4201\`).
- \`adapter.endpointEnv\`: an environment variable that, when set, replaces \`endpoint\`.
- \`adapter.security\`: \`{ "type": "none" }\` or \`{ "type": "username-token", "usernameEnv": "...", "passwordEnv": "...", "passwordType": "text" | "digest" }\` (WS-Security UsernameToken).
- \`adapter.tls\`: a client certificate for mutual TLS: \`certFileEnv\`, \`keyFileEnv\`, \`caFileEnv\` (environment variables naming PEM files).
- \`adapter.transactionIdField\` (default \`TransactionId\`): the request element carrying Kiungo's transaction id, the agency's idempotency key.
- \`adapter.rejectFaultCodes\` (default \`Client\`, \`Sender\`): faults that mean "the agency said no" — when they carry a detail code (\`<Code>\`) or a dotted subcode (\`Client.PinExists\`). Without one, the fault means our request was malformed (misconfigured).
- \`adapter.authFaultCodes\` (default the WS-Security codes \`FailedAuthentication\`, \`InvalidSecurity\`, …): our credentials are wrong — reported as \`misconfigured\` on \`GET /v1/agencies\`.
- \`adapter.statusOperation\`: the operation that looks an application up by reference.
- \`services[].operation\`: \`operation\` (the WSDL operation), \`requestMap\` (request element, or \`/Parent/Child\` for a nested one ← JSON pointer into the payload), \`agencyRefPointer\` (into the operation's result), \`resultMap\`, and optionally \`rejectFaultCodes\`, \`rejectCodePointer\` / \`rejectReasonPointer\` (into the fault detail).
- Server faults, HTTP 5xx, timeouts and transport errors are retried; the raw fault never reaches a caller.`,
  'file-drop': `- \`adapter.kind\`: \`file-drop\` — request files written to an outbox, answers read from an inbox.
- \`adapter.format\`: \`json\`, \`xml\` or \`csv\`.
- \`adapter.outbox\` / \`adapter.inbox\`: folders, relative to this folder or absolute (\`outboxEnv\` / \`inboxEnv\` replace them when set). Processed answers move to \`inbox/processed/\`, unreadable ones to \`inbox/failed/\`.
- \`adapter.doneFileSuffix\` (optional, e.g. \`.done\`): a done-file follows each request, and answers are read only once theirs exists; without it an answer is read once its size stops changing for \`settleMs\`.
- \`adapter.pollIntervalMs\`, \`adapter.settleMs\`, \`adapter.answerTimeoutMs\`: how often the inbox is read, how long a file must be still, how long an answer may take before the attempt is retried.
- \`services[].operation.documentType\`: the agency's name for this kind of request, written into each request file.`,
};

export function scaffoldReadme(kind: ScaffoldKind, names: ScaffoldNames): string {
  return `# Agency \`${names.code}\` (${kind}) — starter folder

Written by \`npm run adapter:new -- --kind ${kind} --agency ${names.code}\`. Edit it into the real agency, then prove it:

    npm run adapter:check -- <this folder>            # agency file, schemas, fixtures
    npm run adapter:check -- <this folder> --live     # every ok request fixture through the real adapter

Adding the agency to Kiungo = this folder in the catalogue directory (\`KIUNGO_CATALOGUE_DIR\`) and a restart.

## agency.json

- \`code\`: the agency code (2–20 lower-case letters, digits, dashes); used in URLs, tokens and the audit log.
- \`name\`: shown to officers and operators.
${ADAPTER_FIELDS[kind]}
- \`resilience\`: \`timeoutMs\` (background calls), \`inlineTimeoutMs\` (the one attempt while the caller waits), \`concurrency\` (bulkhead: calls in flight), \`queueLimit\`, \`rateLimit\` (\`perSecond\`, \`burst\`), \`breaker\` (\`errorThresholdPercentage\`, \`volumeThreshold\`, \`resetTimeoutMs\`, \`rollingCountTimeoutMs\`). Business rejections never trip the breaker.
- \`retry\`: \`maxAttempts\` (then the transaction waits in \`manual\`), \`baseDelayMs\`, \`maxDelayMs\` (exponential backoff with jitter). A service may override it.
- \`services[]\`: \`code\` (unique across the catalogue), \`name\`, \`description\`, \`request\` / \`response\` (schema files in \`schemas/\`), \`operation\` (above), \`fallback\` (\`store-and-forward\`: accept and replay later; \`manual\`: paper process now, with \`manualInstructions\`; \`reject\`: 503), \`bookable\` (can be booked by appointment), \`feeKes\`.

## schemas/ and fixtures/

- \`schemas/${names.service}.request.v1.json\`: the citizen's application, checked before anything reaches the agency. Error messages are built from each property's \`description\` ("must be …"), so write descriptions as the rule.
- \`schemas/${names.service}.response.v1.json\`: the result we keep and return; \`resultMap\` must produce exactly this.
- \`fixtures/<message>/ok/*.json\` must be valid; \`fixtures/<message>/not-ok/*.json\` must fail with the field and message in \`expected-errors.json\`. With \`--live\`, every ok request fixture is sent to the agency and must be accepted with a reference.
`;
}
