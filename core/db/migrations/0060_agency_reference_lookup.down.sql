DROP INDEX transactions_agency_ref;
