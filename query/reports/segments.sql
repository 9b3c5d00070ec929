-- segments: every mapping, as pmap -x lists it, with its kind and what the core holds
--
-- Address order; "[ anon ]" for anonymous mappings as pmap writes them.
-- Smaps figures (rss_kb, pss_kb, dirty_kb, swap_kb) are NULL for cores
-- without them (gcore, kernel).  The last row is the total.

-- section: segments
SELECT start, end, size_kb, rss_kb, pss_kb, dirty_kb, swap_kb, perms, kind, in_core, mapping
FROM (
  SELECT 0 AS ord, s.start, s.end, (s.end - s.start) / 1024 AS size_kb, s.rss_kb, s.pss_kb,
         s.private_dirty_kb + COALESCE(s.shared_dirty_kb, 0) AS dirty_kb, s.swap_kb, s.perms, s.kind,
         s.in_core,
         COALESCE(s.path || CASE WHEN s.deleted THEN ' (deleted)' ELSE '' END, '[ anon ]') AS mapping
  FROM segments s
  UNION ALL
  SELECT 1, NULL, NULL, sum((end - start) / 1024), sum(rss_kb), sum(pss_kb),
         sum(private_dirty_kb + COALESCE(shared_dirty_kb, 0)), sum(swap_kb), NULL, 'total', sum(in_core), NULL
  FROM segments
)
-- unsigned address order: the vsyscall page (above 2^63) reads back negative
ORDER BY ord, start < 0, start;
