-- A report version's packed form (package pack): a re-check reads it in
-- microseconds where the JSON body took milliseconds, and it is less than
-- half the bytes. A row with packed set stores '' in body; rows written
-- before keep their JSON body and are read from it.
ALTER TABLE reports ADD COLUMN packed BLOB;
-- The progress of a re-check (GET /recheck/{id}, polled while it runs)
-- counts its items by state from the index, without sorting them.
CREATE INDEX recheck_items_state ON recheck_items(recheck_id, state);
