-- The memsnap database: one snapshot of one process.  docs/database.md
-- describes every table, column, unit and view.  Addresses and sizes are
-- INTEGER bytes unless the column name says _kb.  Ids are 1-based.
--
-- The version below must match schema/schema_version.h; bump both (and
-- docs/database.md) on any change a reader could notice.  The texts the
-- comments list for a column (chunks.state, refs.root_kind, ...) are the
-- tables of schema/schema_enum.c; unit-schema checks that they agree.

PRAGMA user_version = 4;

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT
);

CREATE TABLE snapshot (
  pid            INTEGER,
  exe            TEXT,
  cmdline        TEXT,
  captured_at    TEXT,     -- RFC 3339 UTC, NULL when the core does not say
  source         TEXT,     -- memsnap, gcore, kernel, unknown
  glibc_version  TEXT,
  glibc_build_id TEXT,
  page_size      INTEGER,
  signal         INTEGER,  -- signal that caused the dump; 0 for a live capture
  pause_ms       REAL,     -- memsnap: how long the target was stopped
  core_path      TEXT,
  core_size      INTEGER,
  threads        INTEGER,
  vm_rss_kb      INTEGER,
  vm_size_kb     INTEGER,
  vm_data_kb     INTEGER,
  vm_stk_kb      INTEGER,
  vm_exe_kb      INTEGER,
  vm_lib_kb      INTEGER,
  vm_swap_kb     INTEGER,
  vm_hwm_kb      INTEGER,
  vm_peak_kb     INTEGER,
  vm_pte_kb      INTEGER,
  rss_anon_kb    INTEGER,
  rss_file_kb    INTEGER,
  rss_shmem_kb   INTEGER,
  ppid           INTEGER,
  comm           TEXT,     -- the kernel's task name, at most 15 bytes
  cmdline_complete INTEGER -- 0 when cmdline comes from NT_PRPSINFO and was cut at 79 bytes
);

CREATE TABLE modules (
  id          INTEGER PRIMARY KEY,
  path        TEXT,
  build_id    TEXT,
  start       INTEGER,
  end         INTEGER,
  load_bias   INTEGER,
  is_main     INTEGER,
  file_status TEXT,     -- ok, missing, build_id_mismatch, no_build_id, in_core, not_read
  debug_file  TEXT,
  text_size   INTEGER,  -- as `size` counts: read-only PT_LOAD bytes
  data_size   INTEGER,  -- writable PT_LOAD file bytes
  bss_size    INTEGER,  -- writable PT_LOAD memory past the file bytes
  deleted     INTEGER,  -- the core says the file was deleted
  file_build_id TEXT,   -- build-id of the file on disk at path (NULL when unreadable)
  elf_file    TEXT      -- the file symbols were read from; NULL when none matched
);

CREATE TABLE segments (
  id               INTEGER PRIMARY KEY,
  start            INTEGER NOT NULL,
  end              INTEGER NOT NULL,
  perms            TEXT,
  offset           INTEGER,
  path             TEXT,
  deleted          INTEGER,
  kind             TEXT,     -- text rodata data bss heap stack thread_stack anon file shm vdso vvar vsyscall guard
  module_id        INTEGER REFERENCES modules(id),
  tid              INTEGER,  -- the thread whose stack, or stack guard, this is
  arena_id         INTEGER,  -- malloc heaps: the arena they belong to
  in_core          INTEGER,  -- bytes present in the core
  rss_kb           INTEGER,
  pss_kb           INTEGER,
  swap_kb          INTEGER,
  private_dirty_kb INTEGER,
  private_clean_kb INTEGER,
  shared_clean_kb  INTEGER,
  shared_dirty_kb  INTEGER,
  anonymous_kb     INTEGER,
  vm_flags         TEXT      -- smaps VmFlags ("rd wr mr mw me gd ac"), NULL when unknown
);

CREATE TABLE threads (
  tid           INTEGER PRIMARY KEY,
  name          TEXT,
  is_main       INTEGER,
  pc            INTEGER,
  sp            INTEGER,
  fs_base       INTEGER,
  signal        INTEGER,
  stack_segment INTEGER REFERENCES segments(id),
  frames        INTEGER,  -- rows in frames for this thread
  unwind_stop   TEXT      -- why unwinding ended early; NULL when it reached the outermost frame
);

CREATE TABLE frames (
  tid         INTEGER,
  depth       INTEGER,  -- 0 = innermost
  pc          INTEGER,
  module_id   INTEGER REFERENCES modules(id),
  function    TEXT,     -- symbol, C++ names demangled
  symbol      TEXT,     -- as the module's symbol table spells it
  offset      INTEGER,  -- pc - start of function
  source_file TEXT,
  line        INTEGER,
  PRIMARY KEY (tid, depth)
) WITHOUT ROWID;

-- Stacks unwound live by `memsnap capture --stacks` (libunwind), beside the
-- frames analyze unwinds from the core.
CREATE TABLE live_frames (
  tid      INTEGER,
  depth    INTEGER,
  pc       INTEGER,
  function TEXT,     -- symbol, C++ names demangled
  symbol   TEXT,     -- as the module's symbol table spells it
  offset   INTEGER,
  module   TEXT,
  PRIMARY KEY (tid, depth)
) WITHOUT ROWID;

-- The allocators the process carries: glibc's malloc, and any other a
-- module defines (jemalloc, tcmalloc, mimalloc, the Go runtime).
CREATE TABLE allocators (
  id            INTEGER PRIMARY KEY,
  name          TEXT,     -- glibc, jemalloc, tcmalloc, mimalloc, go
  module_id     INTEGER REFERENCES modules(id),
  state         TEXT,     -- glibc: in_use, idle, uninitialised, unknown; others: in_use, present
  serves_malloc INTEGER,  -- 1: the process's malloc() is this allocator's
  walked        INTEGER,  -- 1: its blocks are in chunks
  evidence      TEXT      -- how it was recognised
);

CREATE TABLE arenas (
  id             INTEGER PRIMARY KEY,
  address        INTEGER,
  is_main        INTEGER,
  top            INTEGER,
  top_size       INTEGER,
  system_mem     INTEGER,
  max_system_mem INTEGER,
  next           INTEGER,
  heaps          INTEGER,
  found_by       TEXT,
  mutex          INTEGER,  -- nonzero: a thread held the arena's lock when the core was taken
  flags          INTEGER,  -- malloc_state.flags; 2 = NONCONTIGUOUS_BIT
  attached_threads INTEGER
);

-- glibc's malloc_par (mp_): one row when it was found.
CREATE TABLE malloc_par (
  address               INTEGER,
  found_by              TEXT,     -- symbol, shape
  layout                TEXT,     -- the glibc release layout it was read with
  trim_threshold        INTEGER,
  top_pad               INTEGER,
  mmap_threshold        INTEGER,
  arena_test            INTEGER,
  arena_max             INTEGER,
  thp_pagesize          INTEGER,  -- NULL before glibc 2.35
  hp_pagesize           INTEGER,  -- NULL before glibc 2.35
  n_mmaps               INTEGER,  -- mmapped chunks, as mallinfo's hblks
  n_mmaps_max           INTEGER,
  max_n_mmaps           INTEGER,
  no_dyn_threshold      INTEGER,
  mmapped_mem           INTEGER,  -- bytes in mmapped chunks, as mallinfo's hblkhd
  max_mmapped_mem       INTEGER,
  sbrk_base             INTEGER,
  tcache_bins           INTEGER,
  tcache_max_bytes      INTEGER,
  tcache_count          INTEGER,
  tcache_unsorted_limit INTEGER
);

CREATE TABLE heaps (
  id            INTEGER PRIMARY KEY,
  arena_id      INTEGER REFERENCES arenas(id),
  address       INTEGER,
  size          INTEGER,
  mprotect_size INTEGER,
  prev          INTEGER
);

CREATE TABLE tcaches (
  id       INTEGER PRIMARY KEY,
  tid      INTEGER,
  address  INTEGER,
  arena_id INTEGER REFERENCES arenas(id),
  found_by TEXT,
  entries  INTEGER
);

-- jemalloc 5.x (allocators.name = 'jemalloc', walked): its own structures.
-- Its blocks are chunks rows with allocator = 'jemalloc'.  docs/database.md
-- ("jemalloc") says how each is read and what the jemalloc_stats view counts.
CREATE TABLE jemalloc_arenas (
  ind            INTEGER PRIMARY KEY, -- the arena's index, as mallctl's stats.arenas.<i>
  address        INTEGER,  -- its arena_t
  base           INTEGER,  -- its base_t, where its metadata comes from
  nthreads       INTEGER,  -- threads bound to it
  base_allocated INTEGER,  -- base_t figures: bytes of metadata handed out; NULL unread
  base_resident  INTEGER,  -- bytes of its metadata pages that are resident
  base_mapped    INTEGER   -- bytes mapped for its metadata
);

CREATE TABLE jemalloc_extents (
  id        INTEGER PRIMARY KEY,
  edata     INTEGER,  -- its edata_t
  address   INTEGER,  -- e_addr: the first region of a slab, the block of a large extent
  size      INTEGER,  -- bytes of its pages
  arena     INTEGER,  -- jemalloc_arenas.ind
  szind     INTEGER,  -- size class index: below 36 a slab's region class, else a large class
  state     TEXT,     -- active, dirty, muzzy, retained, transition, merging
  slab      INTEGER,  -- 1: regions of one small class
  nregs     INTEGER,  -- active slabs: regions
  nfree     INTEGER   -- active slabs: regions its edata_t counts free
);

CREATE TABLE jemalloc_bins (
  arena   INTEGER,  -- jemalloc_arenas.ind
  bin     INTEGER,  -- size class index, as mallctl's bins.<j>
  size    INTEGER,  -- region size
  nregs   INTEGER,  -- regions per slab
  slabs   INTEGER,  -- active slabs
  curregs INTEGER,  -- regions handed out: used + cached, as jemalloc counts them
  used    INTEGER,  -- regions in use (chunks: used)
  free    INTEGER,  -- regions free in their slabs (chunks: bin slab)
  cached  INTEGER,  -- regions thread caches hold (chunks: bin tcache)
  PRIMARY KEY (arena, bin)
) WITHOUT ROWID;

CREATE TABLE jemalloc_lextents (
  arena       INTEGER,  -- jemalloc_arenas.ind
  lextent     INTEGER,  -- large size class, as mallctl's lextents.<j> (size class index - 36)
  size        INTEGER,  -- usable size of the class
  curlextents INTEGER,  -- large extents handed out: used + cached
  used        INTEGER,
  cached      INTEGER,  -- held by thread caches
  PRIMARY KEY (arena, lextent)
) WITHOUT ROWID;

CREATE TABLE jemalloc_tcaches (
  id      INTEGER PRIMARY KEY,
  tid     INTEGER,  -- the thread whose TLS holds it; NULL when none does
  address INTEGER,  -- its tcache_t
  arena   INTEGER,  -- jemalloc_arenas.ind it is tied to
  entries INTEGER,  -- regions and large blocks it holds
  bytes   INTEGER   -- their usable bytes
);

CREATE TABLE types (
  id   INTEGER PRIMARY KEY,
  name TEXT
);

-- Every block of every allocator walked (allocators.walked): glibc's chunks,
-- jemalloc's regions and large extents.  Columns that only glibc has a
-- notion of read as glibc's when allocator = 'glibc'; for another
-- allocator address = mem, size = usable, mmapped = 0, arena_id NULL
-- (its own tables say where the block lives; docs/database.md maps them).
CREATE TABLE chunks (
  id         INTEGER PRIMARY KEY,
  address    INTEGER NOT NULL,  -- glibc: the chunk header; others: the block itself (= mem)
  mem        INTEGER NOT NULL,  -- the pointer malloc returned
  size       INTEGER NOT NULL,  -- glibc: chunk size, flags masked off; others: the block's size class (= usable)
  size_class INTEGER NOT NULL,  -- the power of two at or below size
  usable     INTEGER NOT NULL,  -- what malloc_usable_size() says
  state      TEXT NOT NULL,     -- used, free, top
  bin        TEXT,              -- tcache, fast, unsorted, small, large, slab, central, transfer, pageheap, returned; NULL unless free
  mmapped    INTEGER NOT NULL,  -- glibc: an mmapped chunk; others: 0
  arena_id   INTEGER REFERENCES arenas(id), -- glibc's arenas only: NULL for mmapped chunks and other allocators' blocks
  segment_id INTEGER REFERENCES segments(id),
  leak       TEXT,              -- reachable, possible, indirect, definite; NULL unless used
  type       TEXT,              -- a type hint where one is sure: a C++ class, 'string'
  hash       INTEGER,           -- of the usable bytes, for diff
  head       BLOB,              -- the first 32 user bytes of a used chunk, as the core holds them
  idom       INTEGER REFERENCES chunks(id), -- the block that immediately dominates this one; NULL otherwise
  idom_root  INTEGER REFERENCES roots(id),  -- the root holder that immediately dominates it; NULL otherwise
  retained   INTEGER,           -- used blocks: its size plus the sizes of every block it dominates; NULL unless used
  allocator  TEXT               -- whose: glibc, jemalloc, tcmalloc, mimalloc, go
);

CREATE TABLE refs (
  from_chunk   INTEGER,  -- NULL for a root
  from_offset  INTEGER,  -- within from_chunk's user bytes, or within the root's segment
  from_address INTEGER,  -- where the pointer is stored
  root_kind    TEXT,     -- register, stack, static, tls, anon; NULL between chunks
  tid          INTEGER,  -- register, stack and tls roots: the thread
  to_chunk     INTEGER NOT NULL,
  to_offset    INTEGER NOT NULL, -- 0 = start pointer, else interior
  root_id      INTEGER REFERENCES roots(id)  -- the root holder of a root ref; NULL between chunks
);

-- One row per root holder: what a person names as holding memory (a static
-- variable, a stack frame, a register, a thread's TLS, an anonymous
-- mapping), with what it keeps alive: the blocks it dominates.
CREATE TABLE roots (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,  -- register, stack, static, tls, anon
  tid           INTEGER,        -- register, stack and tls: the thread
  module_id     INTEGER REFERENCES modules(id), -- static and tls: the module whose memory holds the slots
  symbol        TEXT,           -- static: the ELF object symbol covering the slots, NULL when none does
  symbol_offset INTEGER,        -- static: from the symbol's start to its first slot
  frame_depth   INTEGER,        -- stack: the frame (frames.depth of tid) whose stack area holds the slots
  function      TEXT,           -- stack: that frame's function
  register      TEXT,           -- register: its name as gdb spells it
  segment_id    INTEGER REFERENCES segments(id), -- where the slots are; NULL for a register
  name          TEXT NOT NULL,  -- for people: "static g_cache in libfoo.so", "thread 1234 frame #2 worker_main"
  conservative  INTEGER NOT NULL, -- 1: the slots may hold stale copies (below a frame's stack pointer, or no frame known)
  blocks        INTEGER NOT NULL, -- used blocks it dominates
  retained      INTEGER NOT NULL  -- bytes of those blocks (chunks.size)
);

CREATE TABLE warnings (
  id      INTEGER PRIMARY KEY,
  stage   TEXT,
  address INTEGER,
  message TEXT
);

-- tcmalloc (gperftools 2.10): one row when its heap was read.  Where the
-- walk started (Static's members, ThreadCache::thread_heaps_), how those
-- were known, and the page heap's own Stats as the core holds them, which
-- the view tcmalloc_properties sets beside the walk's sums.
CREATE TABLE tcmalloc_heap (
  module_id      INTEGER REFERENCES modules(id), -- the library
  page_size      INTEGER NOT NULL, -- tcmalloc's page (kPageSize) in bytes: spans are counted in these
  pageheap       INTEGER NOT NULL, -- address of Static::pageheap_
  sizemap        INTEGER NOT NULL, -- address of Static::sizemap_
  central_cache  INTEGER NOT NULL, -- address of Static::central_cache_
  thread_heaps   INTEGER,          -- address of ThreadCache::thread_heaps_; NULL: thread caches not read
  found_by       TEXT NOT NULL,    -- symbols, shape, both
  system_bytes   INTEGER,          -- PageHeap::Stats: bytes of all spans
  free_bytes     INTEGER,          -- PageHeap::Stats: bytes of spans on the normal free lists
  unmapped_bytes INTEGER           -- PageHeap::Stats: bytes of spans given back to the system
);

-- Every span of tcmalloc's page heap, from its pagemap: a run of pages that
-- is one large block, the objects of one size class, or free.
CREATE TABLE tcmalloc_spans (
  id         INTEGER PRIMARY KEY,
  address    INTEGER NOT NULL, -- of the Span (tcmalloc's metadata)
  start      INTEGER NOT NULL, -- first byte it covers
  pages      INTEGER NOT NULL, -- its length in tcmalloc pages (tcmalloc_heap.page_size)
  size_class INTEGER NOT NULL, -- 0: a large block or a free span
  location   TEXT NOT NULL,    -- in_use, normal, returned
  refcount   INTEGER NOT NULL  -- objects handed out of it (small-object spans)
);

-- Per size class (SizeMap): its figures and where its objects are.
CREATE TABLE tcmalloc_size_classes (
  size_class    INTEGER PRIMARY KEY,
  size          INTEGER NOT NULL, -- bytes per object (class_to_size)
  pages         INTEGER NOT NULL, -- pages per span (class_to_pages)
  batch         INTEGER NOT NULL, -- objects per transfer slot (num_objects_to_move)
  spans         INTEGER NOT NULL, -- in-use spans of the class
  central_spans INTEGER NOT NULL, -- of which on the central cache's lists (num_spans_)
  used          INTEGER NOT NULL, -- objects handed out by malloc
  central       INTEGER NOT NULL, -- objects free on their span's list (central cache)
  transfer      INTEGER NOT NULL, -- objects in transfer cache slots
  thread        INTEGER NOT NULL  -- objects in thread caches
);

-- One row per thread cache (ThreadCache), in the order thread_heaps_ lists them.
CREATE TABLE tcmalloc_thread_caches (
  id         INTEGER PRIMARY KEY,
  address    INTEGER NOT NULL, -- of the ThreadCache
  pthread    INTEGER,          -- its pthread_t (the thread's struct pthread address)
  tid        INTEGER,          -- the thread whose fs_base is that pthread_t; NULL when no thread of the core has it
  size_bytes INTEGER NOT NULL, -- its size_: what it says its lists hold
  objects    INTEGER NOT NULL, -- objects found in its lists
  bytes      INTEGER NOT NULL  -- their bytes
);
