-- jemalloc_stats: what mallctl("stats.*") said at the snapshot, one row per
-- figure, named as mallctl names it, computed from the walk the way
-- jemalloc's ctl.c adds it up (after mallctl("epoch")):
--   stats.allocated                 sum over bins of curregs * size, plus over
--                                   large classes of curlextents * size: blocks
--                                   in use and blocks thread caches hold
--   stats.active                    bytes of active extents' pages (slabs whole,
--                                   large extents with their padding page)
--   stats.resident                  base_t resident metadata, plus active and
--                                   dirty extents' bytes; NULL when a base_t
--                                   could not be read
--   stats.arenas.<i>.bins.<j>.curregs          jemalloc_bins.curregs
--   stats.arenas.<i>.lextents.<j>.curlextents  jemalloc_lextents.curlextents
--   stats.arenas.<i>.tcache_bytes   bytes thread caches tied to arena i hold
-- Empty when no jemalloc was walked.
CREATE VIEW jemalloc_stats AS
WITH walked AS (SELECT 1 FROM allocators WHERE name = 'jemalloc' AND walked)
SELECT 'stats.allocated' AS name,
       (SELECT coalesce(sum(curregs * size), 0) FROM jemalloc_bins) +
       (SELECT coalesce(sum(curlextents * size), 0) FROM jemalloc_lextents) AS value
FROM walked
UNION ALL
SELECT 'stats.active', (SELECT coalesce(sum(size), 0) FROM jemalloc_extents WHERE state = 'active') FROM walked
UNION ALL
SELECT 'stats.resident',
       CASE WHEN (SELECT count(*) FROM jemalloc_arenas WHERE base_resident IS NULL) = 0
            THEN (SELECT coalesce(sum(base_resident), 0) FROM jemalloc_arenas) +
                 (SELECT coalesce(sum(size), 0) FROM jemalloc_extents WHERE state IN ('active', 'dirty'))
       END
FROM walked
UNION ALL
SELECT 'stats.arenas.' || arena || '.bins.' || bin || '.curregs', curregs FROM jemalloc_bins
UNION ALL
SELECT 'stats.arenas.' || arena || '.lextents.' || lextent || '.curlextents', curlextents FROM jemalloc_lextents
UNION ALL
SELECT 'stats.arenas.' || a.ind || '.tcache_bytes',
       (SELECT coalesce(sum(bytes), 0) FROM jemalloc_tcaches t WHERE t.arena = a.ind)
FROM jemalloc_arenas a;
