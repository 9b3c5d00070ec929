/*
 * The in-memory stage: where the target's bytes wait while it runs again.
 *
 * Reading memory into our own RAM is much faster than writing a file, so
 * the target is stopped only for the copy; the file is written and synced
 * after it resumes.  The stage is one anonymous region, bump-allocated.  It
 * can be mapped and faulted in before the target is stopped (from an
 * estimate), so the copy itself pays no page faults.  Its size is bounded
 * by --stage-limit, by default half of what the system (and our memory
 * cgroup) can spare; what does not fit is written straight to the file
 * while the target is stopped, and the capture says so.
 */
#ifndef MEMSNAP_STAGE_H
#define MEMSNAP_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stage {
        uint8_t *base;     /* the region, or NULL */
        size_t size;       /* mapped bytes */
        size_t used;       /* handed out */
        uint64_t limit;    /* the most it may ever map */
};

#define STAGE_INIT { 0 }

/*
 * Half of MemAvailable, and no more than half of what our memory cgroup
 * (v2 memory.max or v1 memory.limit_in_bytes) still allows.
 */
uint64_t stage_default_limit(void);

/*
 * Maps (or grows, before anything is taken) the region to min(bytes,
 * limit), rounded to pages; populate faults it in now.  Returns 0 or -errno.
 */
int stage_reserve(struct stage *s, uint64_t bytes, bool populate);

/* len bytes of the region, or NULL when it is full. */
uint8_t *stage_take(struct stage *s, size_t len);

void stage_release(struct stage *s);

#endif
