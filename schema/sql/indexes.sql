-- The indexes readers rely on, created on the empty tables before any row.
-- analyze appends chunks in address order (so chunks_mem grows at its end)
-- and refs in from_chunk order (refs_from likewise); an index led by any
-- other column is cheaper built after the rows, from one sort, and the
-- writer does that for refs (analyze/db/db_rows.c).  Access paths:
--   chunks(mem)        a block by its pointer; diff reads chunks in mem order
--   refs(to_chunk)     who holds a block
--   refs(from_chunk)   what a block points to (leak trees, chains to a root)
--   segments(start)    which mapping holds an address
--   chunks(idom, retained DESC)  what a block dominates (its dominator
--                      subtree), largest first; the tops (idom NULL) that
--                      report owners reads instead of the whole table
CREATE INDEX chunks_mem ON chunks(mem);
CREATE INDEX refs_to ON refs(to_chunk);
CREATE INDEX refs_from ON refs(from_chunk);
CREATE INDEX segments_start ON segments(start);
CREATE INDEX chunks_idom ON chunks(idom, retained DESC);
