-- top: the N largest used blocks (default 20) and who points to them
--
-- "owners" names up to three places that hold a pointer to the block:
-- another block ("chunk 0x...+OFFSET", the offset of the pointer in it), a
-- thread's stack or registers, static data of a module (the file and the
-- pointer's address relative to its load bias, as nm shows symbols), or
-- thread-local storage; "refs" counts them all.
-- param: n 20 how many blocks to list

-- section: top
WITH big AS (
  SELECT * FROM chunks WHERE state = 'used' ORDER BY size DESC, mem LIMIT :n
),
owner AS (
  -- roots first: they are what keeps a block alive
  SELECT r.to_chunk, r.from_chunk IS NOT NULL AS ord,
         CASE
           WHEN r.from_chunk IS NOT NULL THEN
             printf('chunk 0x%x+%d', fc.mem, r.from_offset) || COALESCE(' (' || fc.type || ')', '')
           WHEN r.root_kind IN ('stack', 'register', 'tls') THEN
             r.root_kind || ' of thread ' || r.tid || COALESCE(' ' || th.name, '')
           WHEN r.root_kind = 'static' AND m.path IS NOT NULL THEN
             'static ' || replace(m.path, rtrim(m.path, replace(m.path, '/', '')), '')
               || printf('+0x%x', r.from_address - m.load_bias)
           ELSE COALESCE(r.root_kind, 'root') || printf(' 0x%x', r.from_address)
         END AS what
  -- no join with big here: the one use below names the block, and a join
  -- would have SQLite compute big again for every block listed
  FROM refs r
  LEFT JOIN chunks fc ON fc.id = r.from_chunk
  LEFT JOIN threads th ON th.tid = r.tid
  LEFT JOIN segments sg ON r.root_kind = 'static' AND sg.id = (
    SELECT id FROM segments WHERE start <= r.from_address AND r.from_address < end
    ORDER BY start DESC LIMIT 1)
  LEFT JOIN modules m ON m.id = sg.module_id
)
SELECT b.mem,
       b.size,
       b.usable,
       b.leak,
       b.type,
       CASE WHEN b.mmapped THEN 'mmapped' ELSE CAST(b.arena_id AS TEXT) END AS arena,
       (SELECT count(*) FROM refs r WHERE r.to_chunk = b.id) AS refs,
       (SELECT group_concat(what, ', ')
        FROM (SELECT what FROM owner o WHERE o.to_chunk = b.id ORDER BY ord, what LIMIT 3)) AS owners
FROM big b
ORDER BY b.size DESC, b.mem;
