-- heapmap: the heap cut into equal bins, each bin's bytes by chunk state and leak verdict
--
-- What `report --html` draws as the heap map, as figures: the segments
-- that hold chunks (the arenas' heaps, the mappings of mmapped chunks) are
-- laid end to end in address order and cut into bins of one size, a
-- multiple of glibc's MALLOC_ALIGNMENT (16 on x86-64: no chunk is smaller),
-- so about :bins of them cover the heap.  A chunk's bytes count in every bin
-- it overlaps; a bin's chunks are those that start in it.  Bytes are whole
-- chunks (headers included), as heap_summary counts them: used (reachable),
-- definite, indirect and possible (used blocks by leak verdict), free (in a
-- bin or a tcache) and top.  Empty bins are left out.
-- param: bins 16384 about how many bins to cut the heap into

-- section: regions
-- The segments holding chunks: where each starts in the strip of bins, and
-- the arena of its chunks (NULL: mmapped chunks only).
WITH per AS (
  SELECT segment_id, count(*) AS chunks, min(CASE WHEN NOT mmapped THEN arena_id END) AS arena_id
  FROM chunks WHERE segment_id IS NOT NULL GROUP BY segment_id
),
region AS (
  SELECT s.id AS segment_id, s.start, s.end, p.chunks, p.arena_id
  FROM segments s JOIN per p ON p.segment_id = s.id
),
width AS (
  SELECT max(16, ((sum(end - start) / max(:bins, 1)) + 15) / 16 * 16) AS w FROM region
)
SELECT r.segment_id,
       r.start,
       r.end,
       r.end - r.start AS size,
       CASE WHEN a.is_main THEN 'main' ELSE CAST(r.arena_id AS TEXT) END AS arena,
       COALESCE(sum((r.end - r.start + w.w - 1) / w.w)
                  OVER (ORDER BY r.start ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS first_bin,
       (r.end - r.start + w.w - 1) / w.w AS bins,
       w.w AS bin_size,
       r.chunks
FROM region r CROSS JOIN width w LEFT JOIN arenas a ON a.id = r.arena_id
ORDER BY r.start;

-- section: bins
-- One row per bin that holds any chunk; bin counts from 0 at the first region's start.
WITH RECURSIVE region AS (
  SELECT s.id AS segment_id, s.start, s.end
  FROM segments s
  WHERE s.id IN (SELECT segment_id FROM chunks)
),
width AS (
  SELECT max(16, ((sum(end - start) / max(:bins, 1)) + 15) / 16 * 16) AS w FROM region
),
placed AS (
  SELECT r.segment_id, r.start,
         COALESCE(sum((r.end - r.start + w.w - 1) / w.w)
                    OVER (ORDER BY r.start ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS first_bin
  FROM region r CROSS JOIN width w
),
-- each chunk at its offset g in the strip, as pieces of at most one bin:
-- the first piece starts the chunk, each next one starts a bin
piece (bin, g, e, what, first) AS (
  SELECT (p.first_bin * w.w + c.address - p.start) / w.w,
         p.first_bin * w.w + c.address - p.start,
         p.first_bin * w.w + c.address - p.start + c.size,
         CASE WHEN c.state <> 'used' THEN c.state
              WHEN c.leak IN ('definite', 'indirect', 'possible') THEN c.leak
              ELSE 'used' END,
         1
  FROM chunks c JOIN placed p ON p.segment_id = c.segment_id CROSS JOIN width w
  UNION ALL
  SELECT bin + 1, (bin + 1) * w.w, e, what, 0
  FROM piece CROSS JOIN width w
  WHERE (bin + 1) * w.w < e
),
bytes AS (
  SELECT bin, first, what, min(e, (bin + 1) * w.w) - g AS n FROM piece CROSS JOIN width w
)
SELECT bin,
       sum(first) AS chunks,
       sum(CASE WHEN what = 'used' THEN n ELSE 0 END) AS used_bytes,
       sum(CASE WHEN what = 'definite' THEN n ELSE 0 END) AS definite_bytes,
       sum(CASE WHEN what = 'indirect' THEN n ELSE 0 END) AS indirect_bytes,
       sum(CASE WHEN what = 'possible' THEN n ELSE 0 END) AS possible_bytes,
       sum(CASE WHEN what = 'free' THEN n ELSE 0 END) AS free_bytes,
       sum(CASE WHEN what = 'top' THEN n ELSE 0 END) AS top_bytes
FROM bytes
GROUP BY bin
ORDER BY bin;
