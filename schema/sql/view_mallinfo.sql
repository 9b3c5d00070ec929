-- mallinfo: what glibc's mallinfo2() returned at the snapshot, computed
-- from the walk the way malloc.c int_mallinfo does: free space is the top
-- chunks, the fastbins and the unsorted, small and large bins; chunks in a
-- tcache count as in use.  hblks and hblkhd are glibc's own counters,
-- malloc_par.n_mmaps and mmapped_mem, as int_mallinfo reads them: the bytes
-- of a chunk that memalign placed inside its mapping start before its
-- header (prev_size holds the lead), which no chunks column records.  The
-- walk's count and bytes, lead included, are checked against them (a
-- warning when they differ); without malloc_par, the chunks found are summed.
CREATE VIEW mallinfo AS
WITH f AS (
  SELECT sum(bin IN ('unsorted', 'small', 'large')) AS ord,
         coalesce(sum(CASE WHEN bin IN ('unsorted', 'small', 'large') THEN size END), 0) AS ord_bytes,
         sum(bin = 'fast') AS fast,
         coalesce(sum(CASE WHEN bin = 'fast' THEN size END), 0) AS fast_bytes,
         sum(mmapped) AS mm,
         coalesce(sum(CASE WHEN mmapped THEN size END), 0) AS mm_bytes
  FROM chunks
), a AS (
  SELECT count(*) AS n, coalesce(sum(system_mem), 0) AS system_mem, coalesce(sum(top_size), 0) AS tops,
         (SELECT top_size FROM arenas WHERE is_main) AS keepcost
  FROM arenas
)
SELECT a.system_mem AS arena,
       coalesce(f.ord, 0) + a.n AS ordblks,
       coalesce(f.fast, 0) AS smblks,
       coalesce((SELECT n_mmaps FROM malloc_par), f.mm, 0) AS hblks,
       coalesce((SELECT mmapped_mem FROM malloc_par), f.mm_bytes) AS hblkhd,
       0 AS usmblks,
       f.fast_bytes AS fsmblks,
       a.system_mem - (f.ord_bytes + f.fast_bytes + a.tops) AS uordblks,
       f.ord_bytes + f.fast_bytes + a.tops AS fordblks,
       coalesce(a.keepcost, 0) AS keepcost
FROM f, a;
