// Uses every export of the npm package's declarations (built by scripts/build-npm.sh into
// target/npm/payrules), type-checked with `tsc -p tests/types` (strict): a field renamed or
// removed in Rust, or a declaration that no longer fits the exports, fails the test command.
import init, {
  type AllowedAction,
  type BatchResult,
  type Code,
  type LifecycleProblem,
  type ProfileId,
  type Report,
  type Request,
  type Response,
  type Severity,
  type Violation,
  allowedActions,
  diagram,
  profiles,
  validate,
  validateBatch,
  validateBatchJson,
  validateJson,
} from 'payrules';
import initLedger, { Ledger, type LedgerOptions } from 'payrules/ledger';

async function main(): Promise<void> {
  await init();
  await initLedger();
  const profile: ProfileId = 'plentymarkets';
  const request: Request = { profile, method: 'POST', path: '/rest/payments', headers: { Authorization: 'Bearer t' }, body: '{"amount":12.34}' };
  const report: Report = validate(request);
  const valid: boolean = report.valid;
  const operation: string | null = report.operation;
  for (const v of report.errors) {
    const violation: Violation = v;
    const code: Code = violation.code;
    const severity: Severity = violation.severity;
    const fix: string | undefined = violation.suggestion;
    console.log(violation.path, code, severity, violation.message, fix);
  }
  const text: string = validateJson(JSON.stringify(request));
  const batch: BatchResult = validateBatch(new TextEncoder().encode(text + '\n'));
  const invalid: Uint32Array = batch.invalidLines;
  for (const r of batch) console.log(r.valid);
  if (batch.length > 0) console.log(batch.report(0).valid, batch.reportJson(0));
  const maybe: Uint32Array = batch.mayHaveViolations();
  batch.free();
  console.log(maybe.length);
  const all: string = validateBatchJson(new TextEncoder().encode(text));
  console.log(profiles().length, diagram(profile).length, valid, operation, invalid.length, all.length);
  const actions: AllowedAction[] | LifecycleProblem = allowedActions('crmcom', 'DRAFT');
  if (Array.isArray(actions)) for (const a of actions) console.log(a.action, a.to);
  else console.log(actions.error.kind, actions.message);

  const options: LedgerOptions = { now: '2024-01-01T09:00:00Z' };
  const ledger = new Ledger(options);
  const answer: Response = ledger.handle(request);
  const status: number = answer.status;
  const exact: string = ledger.handleJson(JSON.stringify(request));
  const restored: Ledger = Ledger.restore(ledger.snapshot(), options);
  const empty: Ledger = Ledger.empty();
  console.log(status, exact, answer.body);
  restored.free();
  empty.free();
  ledger.free();
}

void main();
