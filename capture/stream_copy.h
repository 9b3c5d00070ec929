/*
 * Copying into memory that will not be read again soon, past the caches.
 *
 * The copy during the stop is bound by memory bandwidth.  An ordinary
 * store to a line that is not cached first reads the line (a "read for
 * ownership"), so copying N bytes into a cold stage moves 3N bytes over
 * the memory bus: the source, the destination read, the destination
 * written back.  Non-temporal stores write whole lines without reading
 * them: 2N.  So the target's pages are read, a cache-sized slice at a
 * time, into a small buffer that stays in L2 (the kernel's copy into it
 * costs no memory traffic), and streamed from there into the stage.  What
 * that gains depends on the machine: on the loaded 2-CPU VM of
 * docs/performance.md (capture), one thread copying this way beat the
 * direct copy by 7 % in the fastest of 15 captures, and not at all at the
 * median, where the other load decides.
 *
 * Without SSE2 (not x86-64) there are no portable streaming stores:
 * STREAM_COPY_BYPASSES_CACHE is 0, and the caller copies straight into
 * the destination instead of going through a buffer.
 */
#ifndef MEMSNAP_STREAM_COPY_H
#define MEMSNAP_STREAM_COPY_H

#include <stddef.h>

#if defined(__SSE2__)
#define STREAM_COPY_BYPASSES_CACHE 1
#else
#define STREAM_COPY_BYPASSES_CACHE 0
#endif

/* A slice that stays in a core's L2 with room to spare (512 KiB per core here, 256 KiB and up elsewhere). */
#define STREAM_COPY_SLICE (128u << 10)

/*
 * Copies len bytes; src should be cache-hot.  The stores may still be in
 * flight when it returns: call stream_copy_fence() before another thread
 * reads dst.
 */
void stream_copy(void *dst, const void *src, size_t len);

/* Orders every stream_copy() of this thread before what it does next (sfence). */
void stream_copy_fence(void);

#endif
