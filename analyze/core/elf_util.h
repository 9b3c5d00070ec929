/*
 * What analyze's users of libelf and libdwfl share: cleanups for their
 * handles, build-ids as the hex strings the database stores, and the
 * libdwfl callback that --no-debuginfo installs.
 */
#ifndef MEMSNAP_ELF_UTIL_H
#define MEMSNAP_ELF_UTIL_H

#include <elfutils/libdwfl.h>
#include <libelf.h>
#include <stddef.h>

#include "common/cleanup.h"

/* Bytes of a build-id we keep; GNU build-ids are 20 (sha1) or 16 (md5, uuid). */
#define BUILD_ID_MAX 64

DEFINE_POINTER_CLEANUP(Elf, elf_end)
DEFINE_POINTER_CLEANUP(Dwfl, dwfl_end)

/* The len bytes at bits as lowercase hex, NUL-terminated; NULL when out of memory. */
char *elf_util_build_id_hex(const void *bits, size_t len);

/* Dwfl_Callbacks.find_debuginfo for --no-debuginfo: no separate debug file, ever. */
int elf_util_find_debuginfo_none(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                           const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                           char **debuginfo_file_name);

/*
 * Opens a file a core names, to read it as ELF: O_NONBLOCK until fstat says
 * it is a regular file (a FIFO's open would wait for a writer, a device's
 * may wait too), O_NOCTTY, and the first bytes must be ELF's magic.  No
 * O_NOFOLLOW: libraries are reached through symlinks on every system
 * (/lib -> usr/lib); what matters is what the path ends at.  Returns the fd
 * (blocking again, at offset 0), or -errno with *why saying what is wrong
 * for a message.
 */
int elf_util_open(const char *path, const char **why);

/*
 * Dwfl_Callbacks.find_elf for modules of a core: libdwfl's build-id search
 * under the debuginfo path, each candidate checked as elf_util_open does;
 * never a file by a name the core gives (libdwfl would open it as it is).
 */
int elf_util_find_elf_checked(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
                              Elf **elfp);

/* Dwfl_Callbacks.find_elf for --core-only: no file, ever; libdwfl uses the ELF the core holds. */
int elf_util_find_elf_none(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
                           Elf **elfp);

#endif
