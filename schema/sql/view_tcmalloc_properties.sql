-- tcmalloc's own figures, as MallocExtension::GetNumericProperty names and
-- computes them (gperftools 2.10 tcmalloc.cc), from the walk: one row per
-- property.  generic.heap_size is the bytes of all spans;
-- tcmalloc.pageheap_free_bytes and tcmalloc.pageheap_unmapped_bytes those
-- of free spans, kept or given back to the system; the central cache's
-- bytes are its free objects plus, per span it holds, the tail too short
-- for one more object (OverheadBytes); generic.current_allocated_bytes is
-- heap_size less every free byte.  Empty unless tcmalloc's heap was read.
CREATE VIEW tcmalloc_properties AS
WITH
  spans(heap_size, free_bytes, unmapped_bytes) AS (
    SELECT coalesce(sum(s.pages * h.page_size), 0),
           coalesce(sum(CASE WHEN s.location = 'normal' THEN s.pages * h.page_size END), 0),
           coalesce(sum(CASE WHEN s.location = 'returned' THEN s.pages * h.page_size END), 0)
    FROM tcmalloc_heap h LEFT JOIN tcmalloc_spans s),
  caches(central, transfer, thread) AS (
    SELECT coalesce(sum(c.size * c.central + c.central_spans * ((c.pages * h.page_size) % c.size)), 0),
           coalesce(sum(c.size * c.transfer), 0),
           coalesce(sum(c.size * c.thread), 0)
    FROM tcmalloc_heap h LEFT JOIN tcmalloc_size_classes c),
  figures(name, value, ord) AS (
    SELECT 'generic.current_allocated_bytes',
           heap_size - free_bytes - unmapped_bytes - central - transfer - thread, 1 FROM spans, caches
    UNION ALL SELECT 'generic.heap_size', heap_size, 2 FROM spans
    UNION ALL SELECT 'tcmalloc.pageheap_free_bytes', free_bytes, 3 FROM spans
    UNION ALL SELECT 'tcmalloc.pageheap_unmapped_bytes', unmapped_bytes, 4 FROM spans
    UNION ALL SELECT 'tcmalloc.central_cache_free_bytes', central, 5 FROM caches
    UNION ALL SELECT 'tcmalloc.transfer_cache_free_bytes', transfer, 6 FROM caches
    UNION ALL SELECT 'tcmalloc.thread_cache_free_bytes', thread, 7 FROM caches)
SELECT name, value FROM figures WHERE EXISTS (SELECT 1 FROM tcmalloc_heap) ORDER BY ord;
