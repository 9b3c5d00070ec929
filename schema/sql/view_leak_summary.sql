-- valgrind memcheck's LEAK SUMMARY: blocks and bytes per verdict, in its
-- order, over used chunks.  Bytes are usable bytes (malloc_usable_size),
-- which a core knows; valgrind counts the bytes the program asked for, so
-- ours are larger by glibc's rounding (under 24 bytes a block, under a page
-- for mmapped ones).  `line` reads as valgrind prints it:
--   definitely lost: 4,198,440 bytes in 2 blocks
-- One grouped pass over the chunks, then the four verdicts joined to it
-- (joining the chunks to the verdicts instead reads them once per verdict).
CREATE VIEW leak_summary AS
WITH k(leak, label, ord) AS (
  VALUES ('definite', 'definitely lost', 1), ('indirect', 'indirectly lost', 2),
         ('possible', 'possibly lost', 3), ('reachable', 'still reachable', 4)
),
g AS (
  SELECT leak, sum(usable) AS bytes, count(*) AS blocks
  FROM chunks WHERE state = 'used' AND leak IS NOT NULL
  GROUP BY leak
),
s AS (
  SELECT k.label AS kind, k.leak AS leak, k.ord AS ord,
         COALESCE(g.bytes, 0) AS bytes, COALESCE(g.blocks, 0) AS blocks
  FROM k LEFT JOIN g ON g.leak = k.leak
)
SELECT kind, leak, bytes, blocks,
       printf('%s: %,d bytes in %,d blocks', kind, bytes, blocks) AS line
FROM s
ORDER BY ord;
