-- leaks: valgrind's LEAK SUMMARY, then the lost blocks grouped into loss records
--
-- A loss record gathers lost blocks of one verdict, chunk size and type,
-- largest total first, with the lowest address as an example to look at
-- (memsnap query DB "select * from chunks where mem = ...").  Verdicts as
-- valgrind's: definite (nothing points to it), indirect (only lost blocks
-- point to it), possible (only interior pointers).
--
-- Not by allocation site, as valgrind's are: a core holds no record of
-- which code allocated a block.  The type, the example's first bytes
-- (chunks.head) and who points to what (refs) are what there is.

-- section: summary
SELECT kind, leak, bytes, blocks FROM leak_summary;

-- section: loss_records
SELECT leak,
       count(*) AS blocks,
       sum(usable) AS bytes,
       size,
       type,
       min(mem) AS example_mem
FROM chunks
WHERE state = 'used' AND leak IN ('definite', 'indirect', 'possible')
GROUP BY leak, size, type
ORDER BY CASE leak WHEN 'definite' THEN 1 WHEN 'indirect' THEN 2 ELSE 3 END,
         sum(usable) DESC, size DESC;
