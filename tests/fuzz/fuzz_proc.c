/*
 * libFuzzer harness: the parsers of /proc text, which capture reads from a
 * live process (that may have named itself or its files anything) and
 * analyze from a core's MEMSNAP notes (that anyone may have crafted).  The
 * first byte of the input picks the parser, the rest is the text, in a
 * buffer of exactly its size so that a read past the end is ASan's to see:
 *
 *   0 maps or smaps   common/proc_maps.c
 *   1 status          common/proc_status_mem.c
 *   2 stat            capture/proc_read.c
 *   3 swaps           capture/pagemap.c
 *   4 key=value       common/keyval.c (the MEMSNAP settings note): the
 *                     first line is the key looked up in the rest
 *
 * Seeds: a sample's own /proc files and /proc/swaps, each behind its byte
 * (tests/fuzz/fuzz.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "capture/pagemap.h"
#include "capture/proc_read.h"
#include "common/keyval.h"
#include "common/proc_maps.h"
#include "common/proc_status_mem.h"
#include "fuzz_work.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void maps_parse(const char *text, size_t len)
{
        struct map_list l = { 0 };
        size_t bad = 0;

        if (proc_maps_parse(text, len, &l, &bad) < 0) {
                if (bad == 0)
                        fuzz_fail("proc_maps_parse failed without naming the bad line");
        } else {
                bool sorted = true;
                for (size_t i = 0; i < l.n; i++) {
                        const struct map_entry *e = &l.v[i];
                        if (strlen(e->perms) != 4)
                                fuzz_fail("mapping %zu has perms '%s', not 4 characters", i, e->perms);
                        if (i && (e->start <= l.v[i - 1].start || e->start < l.v[i - 1].end))
                                sorted = false;
                }
                /* map_list_find needs what the kernel prints: ascending, disjoint */
                for (size_t i = 0; sorted && i < l.n; i++)
                        if (map_list_find(&l, l.v[i].start) == NULL && l.v[i].end > l.v[i].start)
                                fuzz_fail("mapping %zu (0x%llx) is not found by its start", i,
                                          (unsigned long long)l.v[i].start);
        }
        map_list_free(&l);
}

static void keyval_lookup(const char *text, size_t len)
{
        const char *nl = memchr(text, '\n', len);
        size_t key_len = nl ? (size_t)(nl - text) : len;
        char *key = strndup(text, key_len);
        const char *rest = nl ? nl + 1 : text + len;
        size_t rest_len = len - (size_t)(rest - text);
        const char *value;
        size_t value_len;

        if (!key)
                return;
        if (keyval_get(rest, rest_len, key, &value, &value_len) &&
            (value < rest || value + value_len > rest + rest_len))
                fuzz_fail("keyval_get's value lies outside the text");
        free(keyval_dup(rest, rest_len, key));
        free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size == 0)
                return 0;
        size_t len = size - 1;
        char *text = malloc(len ? len : 1);
        if (!text)
                return 0;
        memcpy(text, data + 1, len);

        switch (data[0] % 5) {
        case 0:
                maps_parse(text, len);
                break;
        case 1: {
                struct proc_status_mem st;
                (void)proc_status_mem_parse(text, len, &st);
                break;
        }
        case 2: {
                struct proc_stat st;
                if (proc_stat_parse(text, len, &st) == 0 && memchr(st.comm, '\0', sizeof(st.comm)) == NULL)
                        fuzz_fail("proc_stat_parse left comm without its NUL");
                break;
        }
        case 3:
                (void)pagemap_swap_areas_parse(text, len);
                break;
        case 4:
                keyval_lookup(text, len);
                break;
        }
        free(text);
        return 0;
}
