-- The figures top, pmap and /proc/PID/status show, per segment kind and in
-- total (the row with kind 'total'), in KiB:
--   virt_kb  VIRT / VmSize: every mapping but the vsyscall gate page, which
--            is not a mapping of the process (the kernel counts it nowhere)
--   res_kb   RES / VmRSS: resident pages (smaps Rss)
--   shr_kb   SHR / RssFile + RssShmem: resident pages that are not anonymous
--   data_kb  DATA / VmData: private writable mappings that are not the stack
--   code_kb  VmExe + VmLib: executable mappings that are neither writable nor the stack
--   exe_kb   VmExe: the main program's executable mappings
--   lib_kb   VmLib: the other executable mappings (libraries, the vdso)
--   stk_kb   VmStk: the stack (VM_GROWSDOWN, 'gd' in smaps VmFlags; the
--            mapping of the main thread's stack pointer when VmFlags are unknown)
--   swap_kb  SWAP / VmSwap
--   pss_kb   proportional set size
--   in_core  bytes the core holds (not KiB)
-- These follow the kernel's own accounting (mm/vma.h is_data_mapping,
-- is_exec_mapping, is_stack_mapping; fs/proc/task_mmu.c task_mem), so for
-- a memsnap core the total row matches the status note's figures.  Columns
-- that need smaps (res, shr, swap, pss) are NULL for cores without it
-- (gcore, kernel).  Thread stacks are not VmStk: glibc mmaps them, so the
-- kernel counts them as data.
CREATE VIEW segment_summary AS
WITH s AS (
  SELECT kind,
         (end - start) / 1024 AS size_kb,
         substr(perms, 2, 1) = 'w' AS w,
         substr(perms, 3, 1) = 'x' AS x,
         substr(perms, 4, 1) = 's' AS shared,
         CASE WHEN vm_flags IS NOT NULL
              THEN (' ' || vm_flags || ' ') LIKE '% gd %' OR (' ' || vm_flags || ' ') LIKE '% ss %'
              ELSE kind = 'stack' END AS stack,
         module_id IN (SELECT id FROM modules WHERE is_main) AS main_module,
         rss_kb, pss_kb, swap_kb, anonymous_kb, in_core
  FROM segments
  WHERE kind <> 'vsyscall'
),
f AS (
  SELECT kind, size_kb AS virt_kb, rss_kb AS res_kb, pss_kb, swap_kb, in_core,
         rss_kb - COALESCE(anonymous_kb, 0) AS shr_kb,
         CASE WHEN w AND NOT shared AND NOT stack THEN size_kb ELSE 0 END AS data_kb,
         CASE WHEN x AND NOT w AND NOT stack THEN size_kb ELSE 0 END AS code_kb,
         CASE WHEN x AND NOT w AND NOT stack AND main_module THEN size_kb ELSE 0 END AS exe_kb,
         CASE WHEN stack THEN size_kb ELSE 0 END AS stk_kb
  FROM s
),
per_kind AS (
  SELECT kind, count(*) AS segments, sum(virt_kb) AS virt_kb, sum(res_kb) AS res_kb,
         sum(shr_kb) AS shr_kb, sum(data_kb) AS data_kb, sum(code_kb) AS code_kb,
         sum(exe_kb) AS exe_kb, sum(code_kb) - sum(exe_kb) AS lib_kb, sum(stk_kb) AS stk_kb,
         sum(swap_kb) AS swap_kb, sum(pss_kb) AS pss_kb, sum(in_core) AS in_core
  FROM f GROUP BY kind
)
SELECT * FROM per_kind
UNION ALL
SELECT 'total', sum(segments), sum(virt_kb), sum(res_kb), sum(shr_kb), sum(data_kb), sum(code_kb),
       sum(exe_kb), sum(lib_kb), sum(stk_kb), sum(swap_kb), sum(pss_kb), sum(in_core)
FROM per_kind;
