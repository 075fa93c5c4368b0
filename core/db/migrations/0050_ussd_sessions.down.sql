DROP TABLE ussd_sessions;
