/**
 * Runs in every test file (jest.config.js `setupFilesAfterEnv`): once the file is done, any
 * response its test apps sent that breaks the OpenAPI document (a success body that is not the
 * documented message, an error that is not a Problem) fails the file, named route by route.
 */
import { takeResponseViolations } from './response-violations';

afterAll(() => {
  const violations = takeResponseViolations();
  if (violations.length > 0) throw new Error(`Responses that break the OpenAPI document:\n  ${violations.join('\n  ')}`);
});
