-- sizes: chunks by power-of-two size class, used and free, with each class's share
--
-- The size_histogram view with the share of used bytes each class holds:
-- where the heap's bytes are, by how big the blocks are.

-- section: sizes
SELECT size_class,
       used_chunks,
       used_bytes,
       round(100.0 * used_bytes / NULLIF((SELECT sum(used_bytes) FROM size_histogram), 0), 1) AS used_pct,
       free_chunks,
       free_bytes
FROM size_histogram
ORDER BY size_class;
