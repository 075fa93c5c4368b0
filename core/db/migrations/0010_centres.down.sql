DROP TABLE counter_services;
DROP TABLE counters;
DROP TABLE centre_services;
DROP TABLE centre_holidays;
DROP TABLE centre_opening_hours;
DROP TABLE centres;
