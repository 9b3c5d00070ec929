-- threads: every thread and its stack, innermost frame first
--
-- Frames are those analyze unwound from the core; a thread the core could
-- not unwind shows the live stack `capture --stacks` recorded, if any
-- ("unwound" says which).

-- section: threads
SELECT t.tid,
       t.name,
       t.is_main,
       t.pc,
       t.sp,
       s.end - s.start AS stack_size,
       (SELECT count(*) FROM frames f WHERE f.tid = t.tid) AS frames
FROM threads t LEFT JOIN segments s ON s.id = t.stack_segment
ORDER BY t.is_main DESC, t.tid;

-- section: stacks
WITH all_frames AS (
  SELECT f.tid, f.depth, f.pc, f.function, f.offset,
         m.path AS module,
         f.source_file || ':' || f.line AS source,
         'core' AS unwound
  FROM frames f LEFT JOIN modules m ON m.id = f.module_id
  UNION ALL
  SELECT l.tid, l.depth, l.pc, l.function, l.offset, l.module, NULL, 'live'
  FROM live_frames l
  WHERE l.tid NOT IN (SELECT tid FROM frames)
)
SELECT a.tid,
       t.name AS thread,
       a.depth,
       a.pc,
       a.function || printf('+0x%x', a.offset) AS function,
       -- the file name without its folder, as a backtrace shows it
       replace(a.module, rtrim(a.module, replace(a.module, '/', '')), '') AS module,
       a.source,
       a.unwound
FROM all_frames a LEFT JOIN threads t ON t.tid = a.tid
ORDER BY t.is_main DESC, a.tid, a.depth;
