// A store from before the provenance backfill ran: its record in the migrations ledger goes.
MATCH (m:Migration {name: 'ingest/backfill_row_locators'})
DELETE m
