-- heap_summary: where malloc's memory is, per arena and in total.  One row
-- per arena, then a total row with arena_id NULL.  Chunks are counted by
-- state and by the list that holds each free one; mmapped chunks belong to
-- no arena and appear in the total row only.  All sizes are chunk sizes in
-- bytes (headers included), as glibc counts them:
--   system_mem = used_bytes + free_bytes + top_bytes + overhead_bytes, where
--   overhead_bytes is heap_info, a non-main arena's malloc_state and the
--   fenceposts at the end of older heaps.
CREATE VIEW heap_summary AS
WITH per AS (
  SELECT arena_id,
         sum(state = 'used') AS used_chunks,
         total(CASE WHEN state = 'used' THEN size END) AS used_bytes,
         sum(state = 'free') AS free_chunks,
         total(CASE WHEN state = 'free' THEN size END) AS free_bytes,
         sum(bin = 'tcache') AS tcache_chunks,
         total(CASE WHEN bin = 'tcache' THEN size END) AS tcache_bytes,
         sum(bin = 'fast') AS fast_chunks,
         total(CASE WHEN bin = 'fast' THEN size END) AS fast_bytes,
         sum(bin = 'unsorted') AS unsorted_chunks,
         total(CASE WHEN bin = 'unsorted' THEN size END) AS unsorted_bytes,
         sum(bin = 'small') AS small_chunks,
         total(CASE WHEN bin = 'small' THEN size END) AS small_bytes,
         sum(bin = 'large') AS large_chunks,
         total(CASE WHEN bin = 'large' THEN size END) AS large_bytes,
         total(CASE WHEN state = 'top' THEN size END) AS top_bytes
  FROM chunks WHERE NOT mmapped GROUP BY arena_id
), rows AS (
  SELECT a.id AS arena_id, a.is_main, a.address, a.heaps, a.system_mem,
         coalesce(p.used_chunks, 0) AS used_chunks, coalesce(p.used_bytes, 0) AS used_bytes,
         coalesce(p.free_chunks, 0) AS free_chunks, coalesce(p.free_bytes, 0) AS free_bytes,
         coalesce(p.tcache_chunks, 0) AS tcache_chunks, coalesce(p.tcache_bytes, 0) AS tcache_bytes,
         coalesce(p.fast_chunks, 0) AS fast_chunks, coalesce(p.fast_bytes, 0) AS fast_bytes,
         coalesce(p.unsorted_chunks, 0) AS unsorted_chunks, coalesce(p.unsorted_bytes, 0) AS unsorted_bytes,
         coalesce(p.small_chunks, 0) AS small_chunks, coalesce(p.small_bytes, 0) AS small_bytes,
         coalesce(p.large_chunks, 0) AS large_chunks, coalesce(p.large_bytes, 0) AS large_bytes,
         coalesce(p.top_bytes, 0) AS top_bytes
  FROM arenas a LEFT JOIN per p ON p.arena_id = a.id
)
SELECT arena_id, is_main, address, heaps, system_mem,
       used_chunks, CAST(used_bytes AS INTEGER) AS used_bytes,
       free_chunks, CAST(free_bytes AS INTEGER) AS free_bytes,
       tcache_chunks, CAST(tcache_bytes AS INTEGER) AS tcache_bytes,
       fast_chunks, CAST(fast_bytes AS INTEGER) AS fast_bytes,
       unsorted_chunks, CAST(unsorted_bytes AS INTEGER) AS unsorted_bytes,
       small_chunks, CAST(small_bytes AS INTEGER) AS small_bytes,
       large_chunks, CAST(large_bytes AS INTEGER) AS large_bytes,
       CAST(top_bytes AS INTEGER) AS top_bytes,
       CAST(system_mem - used_bytes - free_bytes - top_bytes AS INTEGER) AS overhead_bytes,
       0 AS mmapped_chunks, 0 AS mmapped_bytes
FROM rows
UNION ALL
SELECT NULL, NULL, NULL, (SELECT sum(heaps) FROM arenas), (SELECT coalesce(sum(system_mem), 0) FROM arenas),
       coalesce(sum(used_chunks), 0), CAST(coalesce(sum(used_bytes), 0) AS INTEGER),
       coalesce(sum(free_chunks), 0), CAST(coalesce(sum(free_bytes), 0) AS INTEGER),
       coalesce(sum(tcache_chunks), 0), CAST(coalesce(sum(tcache_bytes), 0) AS INTEGER),
       coalesce(sum(fast_chunks), 0), CAST(coalesce(sum(fast_bytes), 0) AS INTEGER),
       coalesce(sum(unsorted_chunks), 0), CAST(coalesce(sum(unsorted_bytes), 0) AS INTEGER),
       coalesce(sum(small_chunks), 0), CAST(coalesce(sum(small_bytes), 0) AS INTEGER),
       coalesce(sum(large_chunks), 0), CAST(coalesce(sum(large_bytes), 0) AS INTEGER),
       CAST(coalesce(sum(top_bytes), 0) AS INTEGER),
       CAST(coalesce(sum(system_mem - used_bytes - free_bytes - top_bytes), 0) AS INTEGER),
       (SELECT count(*) FROM chunks WHERE mmapped),
       (SELECT coalesce(sum(size), 0) FROM chunks WHERE mmapped)
FROM rows;
