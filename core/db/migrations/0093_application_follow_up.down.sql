DROP TABLE phone_rate_limits;
DROP INDEX transactions_agency_ref_alone;
