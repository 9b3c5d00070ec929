-- summary: the process at a glance, as top, pmap and valgrind's LEAK SUMMARY show it
--
-- One screen: who the process is and which allocators it carries, its
-- memory as top counts it, its mappings by kind as pmap would sum them, the
-- malloc heap as mallinfo2() counts it, and the leak verdicts as
-- valgrind's LEAK SUMMARY prints them.  An allocator memsnap does not read
-- (jemalloc, the Go runtime: see the heap report) has no figures here.
-- Figures come from /proc/PID/status when the core carries it (memsnap
-- captures) and from the segments otherwise (gcore, kernel cores).

-- section: process
-- layout: vertical
SELECT s.pid,
       s.exe,
       s.cmdline,
       s.source,
       s.captured_at,
       s.pause_ms,
       s.glibc_version,
       (SELECT group_concat(what, ', ') FROM
         (SELECT name || ' (' || CASE WHEN serves_malloc THEN 'malloc; ' ELSE '' END
                 || CASE WHEN walked THEN 'read' WHEN name = 'glibc' THEN replace(state, '_', ' ') || ', not read'
                         ELSE 'not read' END || ')' AS what
          FROM allocators ORDER BY serves_malloc DESC, id)) AS allocators,
       (SELECT count(*) FROM threads) AS threads,
       (SELECT count(*) FROM warnings) AS warnings
FROM snapshot s;

-- section: memory
-- layout: vertical
-- top's columns: VIRT = VmSize, RES = VmRSS, SHR = RssFile + RssShmem,
-- DATA = VmData + VmStk and CODE = VmExe (as statm's "data" and "text").
WITH t AS (SELECT * FROM segment_summary WHERE kind = 'total')
SELECT COALESCE(s.vm_size_kb, t.virt_kb) AS virt_kb,
       COALESCE(s.vm_rss_kb, t.res_kb) AS res_kb,
       COALESCE(s.rss_file_kb + s.rss_shmem_kb, t.shr_kb) AS shr_kb,
       COALESCE(s.vm_data_kb + s.vm_stk_kb, t.data_kb + t.stk_kb) AS data_kb,
       COALESCE(s.vm_exe_kb, t.exe_kb) AS code_kb,
       COALESCE(s.vm_swap_kb, t.swap_kb) AS swap_kb,
       CASE WHEN s.vm_size_kb IS NOT NULL THEN '/proc/PID/status' ELSE 'segments' END AS figures_from
FROM snapshot s, t;

-- section: mappings
-- pmap's view summed by kind, largest first, and the total.
SELECT kind, segments, virt_kb, res_kb, pss_kb, swap_kb, in_core
FROM segment_summary
ORDER BY kind = 'total', virt_kb DESC, kind;

-- section: heap
-- layout: vertical
-- mallinfo2()'s figures: arena = system_bytes of the main arena, uordblks =
-- used_bytes + tcache_bytes (tcache chunks look in use to glibc), fordblks
-- = free_bytes + top_bytes, hblks / hblkhd = mmapped_chunks / mmapped_bytes
-- (hblkhd also counts what memalign skipped before an mmapped chunk in its
-- mapping: the mallinfo view has glibc's own figure).
-- (The view's per-bin counts are NULL where no chunk has a bin: 0 here.)
SELECT (SELECT count(*) FROM arenas) AS arenas,
       h.system_mem AS system_bytes,
       COALESCE(h.used_chunks, 0) AS used_chunks,
       COALESCE(h.used_bytes, 0) AS used_bytes,
       COALESCE(h.tcache_chunks, 0) AS tcache_chunks,
       COALESCE(h.tcache_bytes, 0) AS tcache_bytes,
       COALESCE(h.fast_chunks, 0) + COALESCE(h.unsorted_chunks, 0) + COALESCE(h.small_chunks, 0)
         + COALESCE(h.large_chunks, 0) AS free_chunks,
       COALESCE(h.fast_bytes, 0) + COALESCE(h.unsorted_bytes, 0) + COALESCE(h.small_bytes, 0)
         + COALESCE(h.large_bytes, 0) AS free_bytes,
       COALESCE(h.top_bytes, 0) AS top_bytes,
       COALESCE(h.mmapped_chunks, 0) AS mmapped_chunks,
       COALESCE(h.mmapped_bytes, 0) AS mmapped_bytes
FROM heap_summary h
WHERE h.arena_id IS NULL;

-- section: leaks
-- valgrind's LEAK SUMMARY: usable bytes of used blocks, per verdict.
SELECT kind, leak, bytes, blocks FROM leak_summary;

-- section: owner
-- layout: vertical
-- empty: omit
-- The owner retaining the most (report owners lists them): a root holder,
-- or a block no single holder dominates.  Only in snapshots whose roots
-- analyze named.
WITH heap AS (SELECT max(sum(size), 1) AS used FROM chunks WHERE state = 'used'),
owner AS (
  SELECT o.name AS owner, o.retained FROM roots o
  UNION ALL
  SELECT CASE WHEN c.leak IN ('definite', 'indirect', 'possible') THEN 'leaked block' ELSE 'block held by several roots' END
           || printf(' 0x%x', c.mem) || COALESCE(' (' || c.type || ')', ''), c.retained
  FROM chunks c
  WHERE c.state = 'used' AND c.idom IS NULL AND c.idom_root IS NULL AND c.retained IS NOT NULL
),
top AS (SELECT * FROM owner WHERE EXISTS (SELECT 1 FROM roots) ORDER BY retained DESC, owner LIMIT 1)
SELECT top.owner || ' retains '
         || CASE WHEN top.retained >= 1073741824 THEN printf('%.2f GiB', top.retained / 1073741824.0)
                 WHEN top.retained >= 1048576 THEN printf('%.2f MiB', top.retained / 1048576.0)
                 WHEN top.retained >= 1024 THEN printf('%.2f KiB', top.retained / 1024.0)
                 ELSE top.retained || ' B' END
         || printf(' (%.0f%%)', 100.0 * top.retained / heap.used) AS top_owner,
       top.retained AS retained_bytes,
       round(100.0 * top.retained / heap.used, 1) AS share_pct
FROM top, heap;
