/**
 * message.types.ts is generated from the schemas: a schema changed without regenerating the types
 * (or a hand edit of the types) fails here, so use cases and controllers always compile against
 * the shapes the edge validates and the OpenAPI document describes.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

it('is what `npm run contracts:types` writes from the current schemas', () => {
  expect(() =>
    execFileSync(process.execPath, [path.join(root, 'scripts', 'run-ts.cjs'), path.join(__dirname, 'message-types.cli.ts'), '--check'], { cwd: root, stdio: 'pipe' }),
  ).not.toThrow();
}, 60_000);
