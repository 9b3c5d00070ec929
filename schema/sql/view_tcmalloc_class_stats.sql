-- tcmalloc's per-size-class lines of MallocExtension::GetStats (gperftools
-- 2.10 tcmalloc.cc DumpStats: "class N [ size bytes ] : objs objs; ...
-- overhead MiB"), from the walk: the objects free in the central, transfer
-- and thread caches together (objs, as its class_count sums them), their
-- bytes, and the central cache's OverheadBytes.  Like DumpStats, only
-- classes with a free object.
CREATE VIEW tcmalloc_class_stats AS
SELECT c.size_class AS class,
       c.size AS bytes,
       c.central + c.transfer + c.thread AS objs,
       (c.central + c.transfer + c.thread) * c.size AS objs_bytes,
       c.central_spans * ((c.pages * h.page_size) % c.size) AS overhead_bytes
FROM tcmalloc_size_classes c, tcmalloc_heap h
WHERE c.central + c.transfer + c.thread > 0
ORDER BY c.size_class;
