-- Chunks by power-of-two size class: how many and how many bytes are used
-- and free (top excluded) in each.
CREATE VIEW size_histogram AS
SELECT size_class,
       sum(state = 'used') AS used_chunks,
       sum(CASE WHEN state = 'used' THEN size ELSE 0 END) AS used_bytes,
       sum(state = 'free') AS free_chunks,
       sum(CASE WHEN state = 'free' THEN size ELSE 0 END) AS free_bytes
FROM chunks
WHERE state <> 'top'
GROUP BY size_class
ORDER BY size_class;
