-- size_histogram: chunks by power-of-two size class (size_class <= size <
-- 2 * size_class), how many and how many bytes are in use and free, with
-- mmapped chunks counted among the used and the top chunks left out.
CREATE VIEW size_histogram AS
SELECT size_class,
       2 * size_class - 1 AS size_max,
       sum(state = 'used') AS used_chunks,
       sum(CASE WHEN state = 'used' THEN size ELSE 0 END) AS used_bytes,
       sum(state = 'free') AS free_chunks,
       sum(CASE WHEN state = 'free' THEN size ELSE 0 END) AS free_bytes,
       sum(mmapped) AS mmapped_chunks
FROM chunks
WHERE state <> 'top'
GROUP BY size_class
ORDER BY size_class;
