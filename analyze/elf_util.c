/* Implementation of elf_util.h. */
#include "elf_util.h"

#include <stdint.h>
#include <stdlib.h>

char *build_id_hex(const void *bits, size_t len)
{
        static const char digits[] = "0123456789abcdef";
        const uint8_t *p = bits;
        char *s = malloc(len * 2 + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                s[2 * i] = digits[p[i] >> 4];
                s[2 * i + 1] = digits[p[i] & 15];
        }
        s[len * 2] = '\0';
        return s;
}

int find_debuginfo_none(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                           const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                           char **debuginfo_file_name)
{
        return -1;
}
