DROP TABLE agency_appointments;
