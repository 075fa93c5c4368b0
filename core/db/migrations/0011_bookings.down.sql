DROP TABLE bookings;
DROP TABLE appointment_slots;
