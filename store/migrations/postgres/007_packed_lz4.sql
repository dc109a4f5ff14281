-- Packed report versions are compressed with LZ4 instead of PostgreSQL's
-- default pglz: compressing a 35 KB packed report with pglz cost the server
-- 3.5–5.7 ms of CPU — more than all of a re-check's own work per
-- application — and LZ4 about 0.8 ms, at the same size on disk (about
-- half). Values written before keep pglz and read as ever. A server built
-- without LZ4 (or older than PostgreSQL 14) keeps pglz: the statement runs
-- through EXECUTE so that its failure is caught here, not at parse time.
DO $$
BEGIN
	EXECUTE 'ALTER TABLE reports ALTER COLUMN packed SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'reports.packed keeps the default compression: %', SQLERRM;
END
$$;
