-- The figures top and pmap show, per segment kind and in total ("total" row):
-- virt_kb (VIRT), res_kb (RES), shr_kb (SHR: resident file and shared
-- pages), data_kb (DATA, as VmData counts: private writable non-stack),
-- code_kb (executable, as VmExe + VmLib), exe_kb (VmExe: the main
-- program's code), stk_kb (VmStk), swap_kb (SWAP), pss_kb.  Figures that
-- need smaps are NULL for cores without it (gcore, kernel).
CREATE VIEW segment_summary AS
WITH s AS (
  SELECT kind,
         (end - start) / 1024 AS virt_kb,
         rss_kb, pss_kb, swap_kb,
         rss_kb - COALESCE(anonymous_kb, 0) AS shr_kb,
         CASE WHEN substr(perms, 2, 1) = 'w' AND substr(perms, 4, 1) = 'p' AND kind <> 'stack'
              THEN (end - start) / 1024 ELSE 0 END AS data_kb,
         CASE WHEN substr(perms, 3, 1) = 'x' AND substr(perms, 2, 1) <> 'w'
              THEN (end - start) / 1024 ELSE 0 END AS code_kb,
         CASE WHEN substr(perms, 3, 1) = 'x' AND substr(perms, 2, 1) <> 'w'
                   AND module_id IN (SELECT id FROM modules WHERE is_main)
              THEN (end - start) / 1024 ELSE 0 END AS exe_kb,
         CASE WHEN kind = 'stack' THEN (end - start) / 1024 ELSE 0 END AS stk_kb,
         in_core
  FROM segments
  WHERE kind <> 'vsyscall'  -- a gate page, not part of the address space's accounting
),
per_kind AS (
  SELECT kind, count(*) AS segments, sum(virt_kb) AS virt_kb, sum(rss_kb) AS res_kb,
         sum(shr_kb) AS shr_kb, sum(data_kb) AS data_kb, sum(code_kb) AS code_kb,
         sum(exe_kb) AS exe_kb, sum(stk_kb) AS stk_kb, sum(swap_kb) AS swap_kb,
         sum(pss_kb) AS pss_kb, sum(in_core) AS in_core
  FROM s GROUP BY kind
)
SELECT * FROM per_kind
UNION ALL
SELECT 'total', sum(segments), sum(virt_kb), sum(res_kb), sum(shr_kb), sum(data_kb), sum(code_kb),
       sum(exe_kb), sum(stk_kb), sum(swap_kb), sum(pss_kb), sum(in_core)
FROM per_kind;
