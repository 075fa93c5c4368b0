import { clip, toGsm7 } from '../ussd/domain/screens';

export { isGsm7 } from '../ussd/domain/screens';

/** An SMS or a closing USSD screen: in GSM-7 (core/ussd/domain/screens.ts) and at most `limit` characters, a cut marked `...`. */
export function fitGsm7(text: string, limit: number): string {
  return clip(toGsm7(text), limit);
}
