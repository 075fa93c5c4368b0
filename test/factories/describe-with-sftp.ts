/**
 * A suite that needs a real sshd (test/simulators/sftp-server). Where sshd cannot run, the suite
 * is skipped with the reason, and listed among the skipped suites like one missing PostgreSQL;
 * under KIUNGO_REQUIRE_SERVICES=1 (CI) it fails instead.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { skippedSuitesFile, testServices } from './services';
import { sftpServerUnavailableReason } from '../simulators/sftp-server/sftp-server';

export function describeWithSftpServer(name: string, suite: () => void): void {
  const reason = sftpServerUnavailableReason();
  if (reason === undefined) {
    describe(name, suite);
    return;
  }
  if (testServices.required) {
    describe(name, () => {
      it('needs an SFTP server (OpenSSH sshd)', () => {
        throw new Error(`${reason}, and KIUNGO_REQUIRE_SERVICES=1 forbids skipping "${name}"`);
      });
    });
    return;
  }
  const file = skippedSuitesFile();
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${name.replace(/[\t\n]/g, ' ')}\tsshd (${reason})\n`);
  describe.skip(`${name} — skipped: ${reason}`, suite);
}
