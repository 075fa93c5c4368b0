/**
 * The optional `appointments` capability of an agency adapter: for agencies that keep their own
 * appointment system, Kiungo reserves there as part of a booking and cancels there with it.
 * Shared by core (which decides) and adapters (which speak to the agency).
 */
export interface AgencyAppointmentRequest {
  /** Our booking reference: the agency's idempotency key for the reservation. */
  bookingReference: string;
  /**
   * The idempotency key of this reservation when it is not `bookingReference`: a rescheduled
   * booking reserves its new slot under a new key, since the old one still names the old slot.
   */
  reservationKey?: string;
  serviceCode: string;
  centreCode: string;
  /** ISO-8601 instants. */
  slotStart: string;
  slotEnd: string;
  /** A stable pseudonym of the citizen (keyed hash of the national ID), never the ID number itself. */
  citizenRef: string;
}

/** What the agency said. Transport trouble is not an answer: adapters throw it (AgencyCallError). */
export type AgencyAppointmentAnswer = { kind: 'reserved'; agencyRef: string } | { kind: 'refused'; code: string; reason: string };
