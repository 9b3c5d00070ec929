-- heap: glibc malloc per arena: system memory, used and free chunks per bin, top
--
-- First the allocators the process carries (a jemalloc or Go heap is
-- named there, not read).  Then one block per arena (the main arena first)
-- and one for the whole heap;
-- mmapped chunks belong to no arena and show in the total only.  Then the
-- heaps of the non-main arenas and the threads' tcaches.

-- section: allocators
-- Which allocators the process carries, which one its malloc() is, and
-- whether memsnap read its blocks (glibc's only).  glibc's state: in_use,
-- idle (initialised, no memory), uninitialised (malloc never ran).
SELECT a.name, a.state, a.serves_malloc, a.walked, m.path AS module, a.evidence
FROM allocators a LEFT JOIN modules m ON m.id = a.module_id
ORDER BY a.id;

-- section: arenas
-- layout: vertical
SELECT CASE WHEN h.arena_id IS NULL THEN 'total'
            WHEN h.is_main THEN 'main'
            ELSE CAST(h.arena_id AS TEXT) END AS arena,
       a.address,
       a.top,
       h.system_mem AS system_bytes,
       a.max_system_mem AS max_system_bytes,
       a.heaps,
       COALESCE(h.used_chunks, 0) AS used_chunks, COALESCE(h.used_bytes, 0) AS used_bytes,
       COALESCE(h.tcache_chunks, 0) AS tcache_chunks, COALESCE(h.tcache_bytes, 0) AS tcache_bytes,
       COALESCE(h.fast_chunks, 0) AS fast_chunks, COALESCE(h.fast_bytes, 0) AS fast_bytes,
       COALESCE(h.unsorted_chunks, 0) AS unsorted_chunks, COALESCE(h.unsorted_bytes, 0) AS unsorted_bytes,
       COALESCE(h.small_chunks, 0) AS small_chunks, COALESCE(h.small_bytes, 0) AS small_bytes,
       COALESCE(h.large_chunks, 0) AS large_chunks, COALESCE(h.large_bytes, 0) AS large_bytes,
       COALESCE(h.top_bytes, 0) AS top_bytes,
       COALESCE(h.mmapped_chunks, 0) AS mmapped_chunks,
       COALESCE(h.mmapped_bytes, 0) AS mmapped_bytes
FROM heap_summary h LEFT JOIN arenas a ON a.id = h.arena_id
ORDER BY h.arena_id IS NULL, h.is_main DESC, h.arena_id;

-- section: heaps
SELECT id, arena_id, address, size, mprotect_size
FROM heaps ORDER BY arena_id, address;

-- section: tcaches
SELECT t.tid, th.name AS thread, t.address, t.arena_id, t.entries, t.found_by
FROM tcaches t LEFT JOIN threads th ON th.tid = t.tid
ORDER BY t.tid;
