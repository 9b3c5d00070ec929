-- owners: who holds the memory: the root holders and blocks that retain the most, leak suspects first
--
-- Retained bytes come from the dominator tree analyze computes (roots,
-- chunks.idom, idom_root, retained): what a holder retains is what would be
-- freed if it let go — the blocks every chain from a root passes it to
-- reach, headers included.  An owner is a root holder (a static variable,
-- a stack frame, a register, a thread's TLS, an anonymous mapping), or a
-- block no single holder dominates: one reached from two holders (shared),
-- or a leaked block heading its structure.  Every used block belongs to
-- exactly one owner, so owners' shares add up to the used heap (chunk
-- sizes of the used blocks, mmapped ones included).  Owners retaining at
-- least 10% of it are the suspects, as Eclipse MAT's leak suspects.
-- Every section reads only the tops of the dominator tree (idom NULL:
-- under a holder or an owner), through the index chunks_idom, never the
-- whole chunks table: the used heap is what the tops retain, which is the
-- sum of the used blocks' sizes, since every used block is under one top.
-- Columns: conservative = 1 for a holder that may be a stale copy (a stack
-- slot below a frame's stack pointer, a register of a thread that was not
-- running); blocks = the blocks a root holder dominates (NULL for a block).
-- param: n 20 how many owners, blocks and groups to list

-- Every section starts with the WITH clause below, written once here
-- (sql_script.h; report --sql writes it in front of each): heap, the used
-- heap's bytes; owner, every owner with what it retains.
-- shared: with
WITH RECURSIVE heap AS (SELECT max(sum(retained), 1) AS used FROM chunks WHERE idom IS NULL AND retained IS NOT NULL),
owner AS (
  SELECT o.name AS owner, o.kind, NULL AS mem, o.conservative, o.blocks, o.retained
  FROM roots o
  UNION ALL
  SELECT CASE WHEN c.leak IN ('definite', 'indirect', 'possible') THEN 'leaked block' ELSE 'block held by several roots' END
           || COALESCE(' (' || c.type || ')', ''),
         CASE WHEN c.leak IN ('definite', 'indirect', 'possible') THEN 'leak' ELSE 'shared' END,
         c.mem, 0, NULL, c.retained
  FROM chunks c
  WHERE c.idom IS NULL AND c.retained IS NOT NULL AND c.idom_root IS NULL
)
-- end shared

-- section: suspects
-- Owners retaining at least 10% of the used heap, largest first.
SELECT owner, kind, mem, retained AS retained_bytes, round(100.0 * retained / heap.used, 1) AS share_pct, blocks,
       conservative
FROM owner, heap
WHERE retained * 10 >= heap.used
ORDER BY retained DESC, owner, mem;

-- section: owners
-- The :n owners retaining the most; suspect = 1 at 10% of the used heap or more.
SELECT owner, kind, mem, retained AS retained_bytes, round(100.0 * retained / heap.used, 1) AS share_pct, blocks,
       conservative, retained * 10 >= heap.used AS suspect
FROM owner, heap
ORDER BY retained DESC, owner, mem
LIMIT :n;

-- section: blocks
-- The :n blocks retaining the most, nested ones too (a table and the
-- block it dominates both show), and what immediately dominates each.
-- A block retains less than its dominator, so the :n are found from the
-- tops (idom NULL) down the dominator tree, largest first, reading at
-- most :n children of each block (chunks_idom holds them largest first,
-- ties in id order, which is address order) instead of every block.
, ranked(id, retained) AS (
  SELECT id, retained FROM chunks WHERE idom IS NULL AND retained IS NOT NULL
  UNION ALL
  SELECT c.id, c.retained FROM ranked JOIN chunks c ON c.idom = ranked.id
  WHERE c.id IN (SELECT d.id FROM chunks d WHERE d.idom = ranked.id ORDER BY d.retained DESC, d.id LIMIT :n)
  ORDER BY 2 DESC, 1
  LIMIT :n
)
SELECT c.mem, c.size, c.type, c.leak, c.retained AS retained_bytes, round(100.0 * c.retained / heap.used, 1) AS share_pct,
       CASE WHEN c.idom IS NOT NULL THEN printf('block 0x%x', (SELECT d.mem FROM chunks d WHERE d.id = c.idom))
            WHEN c.idom_root IS NOT NULL THEN (SELECT o.name FROM roots o WHERE o.id = c.idom_root)
            WHEN c.leak IN ('definite', 'indirect', 'possible') THEN 'none: a leak'
            ELSE 'several roots' END AS dominated_by
FROM ranked JOIN chunks c ON c.id = ranked.id, heap
ORDER BY c.retained DESC, c.mem;

-- section: by_holder
-- Root holders grouped so that threads do not split them: a static by
-- module and symbol, TLS by module, a stack frame by thread name and
-- function, a register by thread name and register (the key diff matches
-- owners by between two snapshots).
SELECT CASE o.kind
         WHEN 'static' THEN 'static ' || COALESCE(o.symbol, '(no symbol, ' || COALESCE(s.kind, 'data') || ')')
                            || ' in ' || replace(m.path, rtrim(m.path, replace(m.path, '/', '')), '')
         WHEN 'tls' THEN COALESCE('TLS in ' || replace(m.path, rtrim(m.path, replace(m.path, '/', '')), ''),
                              'TLS outside any module (TCB or surplus)')
         WHEN 'stack' THEN 'stack ' || COALESCE('frame ' || o.function, 'outside any frame') || ' of thread '
                           || COALESCE(t.name, '?')
         WHEN 'register' THEN 'register ' || COALESCE(o.register, '?') || ' of thread ' || COALESCE(t.name, '?')
         ELSE 'anonymous mapping' || COALESCE(' ' || s.path, '')
       END AS holder,
       o.kind,
       count(*) AS holders,
       sum(o.blocks) AS blocks,
       sum(o.retained) AS retained_bytes,
       round(100.0 * sum(o.retained) / heap.used, 1) AS share_pct
FROM roots o
JOIN heap
LEFT JOIN modules m ON m.id = o.module_id
LEFT JOIN segments s ON s.id = o.segment_id
LEFT JOIN threads t ON t.tid = o.tid
GROUP BY holder, o.kind, m.path
ORDER BY retained_bytes DESC, holder
LIMIT :n;

-- section: by_type
-- The blocks right under the owners (idom NULL: dominated by a root holder
-- or by no single one) grouped by type hint, as MAT groups its dominator
-- tree by class: nothing is counted twice.
SELECT c.type, count(*) AS blocks, sum(c.retained) AS retained_bytes,
       round(100.0 * sum(c.retained) / heap.used, 1) AS share_pct
FROM chunks c, heap
WHERE c.idom IS NULL AND c.retained IS NOT NULL
GROUP BY c.type
ORDER BY retained_bytes DESC, c.type
LIMIT :n;
