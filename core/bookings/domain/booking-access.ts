/**
 * Who may see and change which bookings. Channels (portal, USSD, call centre) and admins act for
 * any citizen; an officer only at their own centre; a manager at their centre when the token
 * names one, else everywhere. A booking the caller may not see does not exist for them (404).
 */
export interface BookingActor {
  subject: string;
  roles: readonly string[];
  centre?: string;
}

const EVERYWHERE = ['channel', 'admin'];

/** The centre the caller is confined to; undefined = every centre; null = none at all. */
export function centreScope(actor: BookingActor): string | undefined | null {
  if (actor.roles.some((r) => EVERYWHERE.includes(r))) return undefined;
  if (actor.roles.includes('manager')) return actor.centre;
  if (actor.roles.includes('officer')) return actor.centre ?? null;
  return null;
}

export function maySee(actor: BookingActor, centreCode: string): boolean {
  const scope = centreScope(actor);
  return scope === undefined || scope === centreCode;
}

/** Booking, cancelling and rescheduling: channels and admins anywhere, officers at their centre. */
export function mayChange(actor: BookingActor, centreCode: string): boolean {
  if (actor.roles.some((r) => EVERYWHERE.includes(r))) return true;
  return actor.roles.includes('officer') && actor.centre === centreCode;
}

export function seesPersonalData(actor: BookingActor): boolean {
  return actor.roles.includes('personal-data');
}
