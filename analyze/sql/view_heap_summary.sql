-- Per arena and in total ("arena_id" NULL): the arena's system bytes, what
-- is in use, what is free in each kind of bin, the top chunk, and mmapped
-- chunks (which belong to no arena and appear in the total only).
CREATE VIEW heap_summary AS
WITH per AS (
  SELECT arena_id,
         sum(state = 'used' AND NOT mmapped) AS used_chunks,
         sum(CASE WHEN state = 'used' AND NOT mmapped THEN size ELSE 0 END) AS used_bytes,
         sum(bin = 'tcache') AS tcache_chunks,
         sum(CASE WHEN bin = 'tcache' THEN size ELSE 0 END) AS tcache_bytes,
         sum(bin = 'fast') AS fast_chunks,
         sum(CASE WHEN bin = 'fast' THEN size ELSE 0 END) AS fast_bytes,
         sum(bin = 'unsorted') AS unsorted_chunks,
         sum(CASE WHEN bin = 'unsorted' THEN size ELSE 0 END) AS unsorted_bytes,
         sum(bin = 'small') AS small_chunks,
         sum(CASE WHEN bin = 'small' THEN size ELSE 0 END) AS small_bytes,
         sum(bin = 'large') AS large_chunks,
         sum(CASE WHEN bin = 'large' THEN size ELSE 0 END) AS large_bytes,
         sum(CASE WHEN state = 'top' THEN size ELSE 0 END) AS top_bytes,
         sum(mmapped) AS mmapped_chunks,
         sum(CASE WHEN mmapped THEN size ELSE 0 END) AS mmapped_bytes
  FROM chunks GROUP BY arena_id
)
SELECT a.id AS arena_id, a.is_main, a.system_mem, p.used_chunks, p.used_bytes,
       p.tcache_chunks, p.tcache_bytes, p.fast_chunks, p.fast_bytes,
       p.unsorted_chunks, p.unsorted_bytes, p.small_chunks, p.small_bytes,
       p.large_chunks, p.large_bytes, p.top_bytes, 0 AS mmapped_chunks, 0 AS mmapped_bytes
FROM arenas a LEFT JOIN per p ON p.arena_id = a.id
UNION ALL
SELECT NULL, NULL, (SELECT sum(system_mem) FROM arenas), sum(used_chunks), sum(used_bytes),
       sum(tcache_chunks), sum(tcache_bytes), sum(fast_chunks), sum(fast_bytes),
       sum(unsorted_chunks), sum(unsorted_bytes), sum(small_chunks), sum(small_bytes),
       sum(large_chunks), sum(large_bytes), sum(top_bytes), sum(mmapped_chunks), sum(mmapped_bytes)
FROM per;
