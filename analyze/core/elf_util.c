/* Implementation of elf_util.h. */
#include "elf_util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/io.h"

char *elf_util_build_id_hex(const void *bits, size_t len)
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

int elf_util_find_debuginfo_none(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                           const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                           char **debuginfo_file_name)
{
        return -1;
}

int elf_util_open(const char *path, const char **why)
{
        struct stat st;
        unsigned char magic[SELFMAG];

        /* Not even opened when stat says it is no regular file; fstat checks again what was opened. */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
                *why = "not a regular file";
                return -EINVAL;
        }
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                *why = strerror(-r);
                return r;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                *why = "not a regular file";
                return -EINVAL;
        }
        if (fcntl(fd, F_SETFL, 0) < 0 || io_pread_full(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
            memcmp(magic, ELFMAG, SELFMAG) != 0) {
                close(fd);
                *why = "not an ELF file";
                return -ENOEXEC;
        }
        return fd;
}

int elf_util_find_elf_checked(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
                              Elf **elfp)
{
        struct stat st;

        int fd = dwfl_build_id_find_elf(mod, userdata, modname, base, file_name, elfp);
        if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
                close(fd);
                fd = -1;
        }
        if (fd < 0 && !*elfp) {
                /* A name with no file makes libdwfl open that name itself, unchecked. */
                free(*file_name);
                *file_name = NULL;
        }
        return fd;
}

int elf_util_find_elf_none(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
                           Elf **elfp)
{
        *elfp = NULL;
        return -1;
}
