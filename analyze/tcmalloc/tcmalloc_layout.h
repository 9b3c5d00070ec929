/*
 * Where gperftools 2.10 keeps its heap, as Debian 12's libtcmalloc_minimal4
 * builds it for x86-64: 8 KiB pages (kPageShift 13), 48-bit addresses (a
 * two-level pagemap), 128 size-class slots, 64 transfer-cache slots.  Every
 * offset below is a field of a C++ object that the library's headers
 * declare and that its .dynsym does not name (Static's members are
 * ATTRIBUTE_HIDDEN), so the walker reads them by offset; each names the
 * header and field it comes from.  tcmalloc_find.c checks a candidate
 * against these offsets before anything is read through them.
 */
#ifndef MEMSNAP_TCMALLOC_LAYOUT_H
#define MEMSNAP_TCMALLOC_LAYOUT_H

#include "analyze/tcmalloc_tables.h" /* TCMALLOC_CLASSES_MAX */

/* common.h: kPageShift, kMaxSize, kMaxPages (1 << (20 - kPageShift)) */
#define TCMALLOC_PAGE_SHIFT 13
#define TCMALLOC_PAGE_SIZE (1ull << TCMALLOC_PAGE_SHIFT)
#define TCMALLOC_MAX_SIZE (256u * 1024)
#define TCMALLOC_MAX_PAGES 128

/*
 * common.h: class SizeMap.  class_array_ has kClassArraySize
 * (((kMaxSize + 127 + (120 << 7)) >> 7) + 1 = 2169) bytes, then the int
 * arrays num_objects_to_move_ and class_to_size_, the size_t array
 * class_to_pages_, and num_size_classes.
 */
#define TCMALLOC_SIZEMAP_MOVE 0x87cu
#define TCMALLOC_SIZEMAP_SIZE 0xa7cu
#define TCMALLOC_SIZEMAP_PAGES 0xc80u
#define TCMALLOC_SIZEMAP_COUNT 0x1080u
#define TCMALLOC_SIZEMAP_BYTES 0x1088u

/*
 * span.h: struct Span.  start and length are in pages; next and prev link
 * it into a doubly linked list; objects heads the free objects of a
 * small-object span; then the bit fields refcount:16, sizeclass:8,
 * location:2 (IN_USE, ON_NORMAL_FREELIST, ON_RETURNED_FREELIST).
 */
#define TCMALLOC_SPAN_START 0u
#define TCMALLOC_SPAN_LENGTH 8u
#define TCMALLOC_SPAN_NEXT 16u
#define TCMALLOC_SPAN_PREV 24u
#define TCMALLOC_SPAN_OBJECTS 32u
#define TCMALLOC_SPAN_BITS 40u
#define TCMALLOC_SPAN_BYTES 48u

/*
 * page_heap.h: class PageHeap, placed by Static::InitStaticVars in
 * Static::pageheap_.  pagemap_cache_ is a PackedCache<35> (1 << 16 words,
 * packed-cache-inl.h kHashbits); pagemap_ a TCMalloc_PageMap2<35>
 * (pagemap.h: a root of 1 << 17 leaf pointers, each leaf 1 << 18 Span
 * pointers, indexed by page number); two std::set<SpanPtrWithLength> of
 * large free spans (48 bytes each in libstdc++); free_[kMaxPages], a
 * SpanList {Span normal; Span returned;} per length in pages; then Stats.
 */
#define TCMALLOC_PAGEMAP_ROOT 0x80000u
#define TCMALLOC_PAGEMAP_LEAF_BITS 18
#define TCMALLOC_PAGEMAP_ROOT_LENGTH (1u << 17)
#define TCMALLOC_PAGEHEAP_FREE 0x180068u
#define TCMALLOC_SPANLIST_BYTES (2 * TCMALLOC_SPAN_BYTES)
#define TCMALLOC_PAGEHEAP_STATS 0x183068u /* system_bytes, free_bytes, unmapped_bytes: uint64 each */
#define TCMALLOC_PAGEHEAP_BYTES 0x1830d0u

/*
 * central_freelist.h: class CentralFreeListPadded, padded to 64 bytes, in
 * Static::central_cache_[kClassSizesMax].  A SpinLock, size_class_, the
 * dummy heads of the lists of spans with no free object (empty_) and with
 * some (nonempty_), num_spans_, counter_ (free objects on those spans),
 * tc_slots_[64] of {head, tail} batches, used_slots_.
 */
#define TCMALLOC_CENTRAL_CLASS 8u
#define TCMALLOC_CENTRAL_EMPTY 16u
#define TCMALLOC_CENTRAL_NONEMPTY 64u
#define TCMALLOC_CENTRAL_SPANS 112u
#define TCMALLOC_CENTRAL_COUNTER 120u
#define TCMALLOC_CENTRAL_SLOTS 128u
#define TCMALLOC_CENTRAL_SLOTS_MAX 64u
#define TCMALLOC_CENTRAL_USED_SLOTS 1152u
#define TCMALLOC_CENTRAL_BYTES 1216u

/*
 * thread_cache.h: class ThreadCache, one per thread, listed from the
 * exported ThreadCache::thread_heaps_ through next_.  list_[kClassSizesMax]
 * of FreeList {void *list_; uint32_t length_, lowater_, max_length_,
 * length_overages_; int32_t size_;}, then size_ (bytes in all its lists),
 * max_size_, a Sampler (24 bytes), tid_, in_setspecific_, next_, prev_.
 */
#define TCMALLOC_FREELIST_BYTES 32u
#define TCMALLOC_FREELIST_LENGTH 8u
#define TCMALLOC_THREAD_SIZE 4096u
#define TCMALLOC_THREAD_TID 4128u
#define TCMALLOC_THREAD_NEXT 4144u
#define TCMALLOC_THREAD_BYTES 4160u

/* linked_list.h: SLL_Next, a free object's first word is the next one's address */

/* The symbols a library with its full symbol table names them by (nm of the debug file). */
#define TCMALLOC_SYM_PAGEHEAP "_ZN8tcmalloc6Static9pageheap_E"
#define TCMALLOC_SYM_SIZEMAP "_ZN8tcmalloc6Static8sizemap_E"
#define TCMALLOC_SYM_CENTRAL "_ZN8tcmalloc6Static14central_cache_E"
#define TCMALLOC_SYM_THREAD_HEAPS "_ZN8tcmalloc11ThreadCache13thread_heaps_E" /* in .dynsym too */

#endif
