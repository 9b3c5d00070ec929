/* Implementation of proc_status_mem.h: /proc/PID/status text to a struct. */
#include "proc_status_mem.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "parse_number.h"

static const struct {
        const char *key;
        size_t offset;
        bool kb; /* the value is "N kB" */
} fields[] = {
        { "Tgid", offsetof(struct proc_status_mem, tgid), false },
        { "Pid", offsetof(struct proc_status_mem, pid), false },
        { "PPid", offsetof(struct proc_status_mem, ppid), false },
        { "TracerPid", offsetof(struct proc_status_mem, tracer_pid), false },
        { "Threads", offsetof(struct proc_status_mem, threads), false },
        { "VmPeak", offsetof(struct proc_status_mem, vm_peak_kb), true },
        { "VmSize", offsetof(struct proc_status_mem, vm_size_kb), true },
        { "VmLck", offsetof(struct proc_status_mem, vm_lck_kb), true },
        { "VmPin", offsetof(struct proc_status_mem, vm_pin_kb), true },
        { "VmHWM", offsetof(struct proc_status_mem, vm_hwm_kb), true },
        { "VmRSS", offsetof(struct proc_status_mem, vm_rss_kb), true },
        { "RssAnon", offsetof(struct proc_status_mem, rss_anon_kb), true },
        { "RssFile", offsetof(struct proc_status_mem, rss_file_kb), true },
        { "RssShmem", offsetof(struct proc_status_mem, rss_shmem_kb), true },
        { "VmData", offsetof(struct proc_status_mem, vm_data_kb), true },
        { "VmStk", offsetof(struct proc_status_mem, vm_stk_kb), true },
        { "VmExe", offsetof(struct proc_status_mem, vm_exe_kb), true },
        { "VmLib", offsetof(struct proc_status_mem, vm_lib_kb), true },
        { "VmPTE", offsetof(struct proc_status_mem, vm_pte_kb), true },
        { "VmSwap", offsetof(struct proc_status_mem, vm_swap_kb), true },
};

/* Lines of another shape: four ids, or a hex mask (fs/proc/array.c). */
static const struct {
        const char *key;
        size_t offset;
} id_fields[] = {
        { "Uid", offsetof(struct proc_status_mem, uid) },
        { "Gid", offsetof(struct proc_status_mem, gid) },
}, mask_fields[] = {
        { "SigPnd", offsetof(struct proc_status_mem, sig_pnd) },
        { "ShdPnd", offsetof(struct proc_status_mem, shd_pnd) },
        { "SigBlk", offsetof(struct proc_status_mem, sig_blk) },
        { "CapEff", offsetof(struct proc_status_mem, cap_eff) },
};

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static bool key_is(const char *line, size_t klen, const char *key)
{
        return strlen(key) == klen && memcmp(line, key, klen) == 0;
}

static const char *skip_blanks(const char *p, const char *end)
{
        while (p < end && is_blank(*p))
                p++;
        return p;
}

/* "\t1000\t1000\t1000\t1000" to four ids; false on anything else. */
static bool parse_ids(const char *p, const char *end, uint32_t ids[4])
{
        for (int i = 0; i < 4; i++) {
                uint64_t v;
                p = skip_blanks(p, end);
                if (!parse_number_dec_u64(&p, end, &v) || v > UINT32_MAX)
                        return false;
                ids[i] = (uint32_t)v;
        }
        return skip_blanks(p, end) == end;
}

/* "\t0000000000010002": a hex mask; false on anything else. */
static bool parse_mask(const char *p, const char *end, uint64_t *out)
{
        uint64_t v;
        p = skip_blanks(p, end);
        if (!parse_number_hex_u64(&p, end, &v) || skip_blanks(p, end) != end)
                return false;
        *out = v;
        return true;
}

/* "  1234 kB" (or "1234" when !kb) to a number; false on anything else. */
static bool parse_value(const char *p, const char *end, bool kb, int64_t *out)
{
        int64_t v = 0;
        int digits = 0;

        while (p < end && is_blank(*p))
                p++;
        while (p < end && *p >= '0' && *p <= '9') {
                if (++digits > 18)
                        return false;
                v = v * 10 + (*p++ - '0');
        }
        if (!digits)
                return false;
        while (p < end && is_blank(*p))
                p++;
        if (kb) {
                if (end - p < 2 || memcmp(p, "kB", 2) != 0)
                        return false;
                p += 2;
                while (p < end && is_blank(*p))
                        p++;
        }
        if (p != end)
                return false;
        *out = v;
        return true;
}

static bool parse_line(const char *line, size_t len, struct proc_status_mem *out)
{
        const char *colon = memchr(line, ':', len);
        if (!colon)
                return false;
        size_t klen = (size_t)(colon - line);
        const char *v = colon + 1, *end = line + len;

        if (klen == 4 && memcmp(line, "Name", 4) == 0) {
                /* One tab follows the colon; the name itself may hold spaces. */
                if (v < end && *v == '\t')
                        v++;
                size_t n = MIN((size_t)(end - v), sizeof(out->name) - 1);
                memcpy(out->name, v, n);
                out->name[n] = '\0';
                return true;
        }
        if (klen == 5 && memcmp(line, "State", 5) == 0) {
                while (v < end && is_blank(*v))
                        v++;
                if (v < end && *v >= 'A' && *v <= 'Z')
                        out->state = *v;
                return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(id_fields); i++) {
                if (!key_is(line, klen, id_fields[i].key))
                        continue;
                uint32_t *ids = (uint32_t *)((char *)out + id_fields[i].offset);
                uint32_t x[4];
                if (parse_ids(v, end, x)) {
                        memcpy(ids, x, sizeof(x));
                        *(ids == out->uid ? &out->have_uid : &out->have_gid) = true;
                }
                return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(mask_fields); i++) {
                if (!key_is(line, klen, mask_fields[i].key))
                        continue;
                (void)parse_mask(v, end, (uint64_t *)((char *)out + mask_fields[i].offset));
                return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                if (!key_is(line, klen, fields[i].key))
                        continue;
                int64_t *f = (int64_t *)((char *)out + fields[i].offset);
                int64_t x;
                if (parse_value(v, end, fields[i].kb, &x))
                        *f = x;
                return true;
        }
        return false;
}

int proc_status_mem_parse(const char *text, size_t len, struct proc_status_mem *out)
{
        const char *p = text, *end = text + len;
        size_t known = 0;

        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                *(int64_t *)((char *)out + fields[i].offset) = -1;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                if (parse_line(p, (size_t)(eol - p), out))
                        known++;
                p = nl ? nl + 1 : end;
        }
        return known ? 0 : -EINVAL;
}
