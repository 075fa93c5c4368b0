import type { UssdOption } from './domain/ussd-state';

/**
 * What the USSD menu needs from Service by Appointment, in menu-sized pieces. Implemented over
 * the bookings use cases (UssdAppointmentsService), so booking rules live in one place only.
 */
export interface UssdAppointments {
  /** Services some centre takes appointments for; value = service code. */
  services(): Promise<UssdOption[]>;
  /** Counties with a centre booking the service. */
  counties(serviceCode: string): Promise<string[]>;
  /** Centres of the county booking the service; value = centre code. */
  centres(serviceCode: string, county: string): Promise<UssdOption[]>;
  /** Open days from today to the booking horizon; value = local date YYYY-MM-DD. */
  days(centreCode: string): Promise<UssdOption[]>;
  /** Slots with a place left; value = ISO instant of the slot start, label = local `HH:MM`. */
  freeSlots(centreCode: string, serviceCode: string, date: string): Promise<UssdOption[]>;
  /**
   * Books through BookAppointment (channel `ussd`); throws its DomainErrors, except that an
   * `already-booked` for a booking made from another phone is `already-booked-elsewhere`.
   */
  book(request: UssdBookingRequest): Promise<{ reference: string }>;
  /** The caller's active bookings not yet past, booked with this ID number AND this phone; value = reference. */
  upcoming(idNumber: string, phone: string): Promise<UssdOption[]>;
  /** Cancels through ChangeBooking; the SMS goes out as for any cancellation. */
  cancel(reference: string): Promise<void>;
}

export interface UssdBookingRequest {
  centreCode: string;
  serviceCode: string;
  slotStart: string;
  idNumber: string;
  phone: string;
}
