DROP TABLE outage_notices;
DROP TABLE agency_outages;
