-- An INSERT of several keys (an import: up to 1,000) NOTIFYs their hashes 180
-- at a time, as "k:" and the hashes joined by commas, rather than one
-- notification per key: every listening instance received, parsed and handled
-- each of a thousand notifications per import call: with five processes
-- listening, as in `pnpm bench`, a call took about 6% longer. 180 unpadded base64url hashes of 43 characters and their commas
-- stay under PostgreSQL's 8,000-byte payload limit. An INSERT of one key (a
-- creation) still sends its hash alone, as before, which instances of every
-- version understand.

CREATE OR REPLACE FUNCTION keysmith_api_keys_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM inserted) = 1 THEN
    PERFORM keysmith_notify_key(key_hash) FROM inserted;
  ELSE
    PERFORM pg_notify('keysmith_api_keys', 'k:' || string_agg(hash, ','))
       FROM (SELECT translate(rtrim(encode(key_hash, 'base64'), '='), '+/', '-_') AS hash,
                    (row_number() OVER () - 1) / 180 AS batch
               FROM inserted) AS hashes
      GROUP BY batch;
  END IF;
  RETURN NULL;
END
$$;
