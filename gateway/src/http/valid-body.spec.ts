import { DomainError } from '../../../core/shared/errors';
import { MessageBodyPipe } from './valid-body';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('MessageBodyPipe', () => {
  const pipe = new MessageBodyPipe('agency-mode-change');

  it('hands a valid body on unchanged', () => {
    const body = { mode: 'manual', reason: 'NRB down since 09:10' };
    expect(pipe.transform(body)).toBe(body);
  });

  it('refuses an invalid one with every failing field, as a validation-failed problem', () => {
    const error = refusal(() => pipe.transform({ mode: 'offline', reason: 'x', window: { start: 'x', end: 'y' }, extra: 1 }));
    expect({ category: error.category, code: error.code }).toEqual({ category: 'invalid', code: 'validation-failed' });
    expect(error.details.errors?.map((e) => e.field).sort()).toEqual(['', '/mode', '/reason', '/window', '/window/end', '/window/start']);
  });

  it('refuses a missing body, unless told it stands for {} (then checked as {})', () => {
    expect(refusal(() => pipe.transform(undefined)).details.errors).toEqual([{ field: '', message: 'must be an object' }]);
    const optional = new MessageBodyPipe('agency-mode-change', {});
    expect(refusal(() => optional.transform(undefined)).details.errors?.map((e) => e.field)).toEqual(['/mode', '/reason']);
  });
});
