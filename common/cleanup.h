/*
 * Cleanup attributes for every resource memsnap holds, in the manner of
 * systemd's cleanup-fundamental.h: a variable declared with _cleanup_(fn) has
 * fn(&var) called when it goes out of scope, so error paths are plain
 * `return`s and nothing leaks.  Hand ownership out with TAKE_PTR.
 */
#ifndef MEMSNAP_CLEANUP_H
#define MEMSNAP_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
        *f = NULL;
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
        *d = NULL;
}
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Defines `static inline void NAMEp(TYPE **p)` that calls FUNC(*p) when set. */
#define DEFINE_POINTER_CLEANUP(type, func)                                     \
        static inline void func##p(type **p)                                   \
        {                                                                      \
                if (*p)                                                        \
                        func(*p);                                              \
                *p = NULL;                                                     \
        }

#define TAKE_PTR(p)                                                            \
        ({                                                                     \
                __typeof__(p) _took = (p);                                     \
                (p) = NULL;                                                    \
                _took;                                                         \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))

#endif
