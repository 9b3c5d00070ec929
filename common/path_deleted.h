/*
 * The kernel's " (deleted)": /proc/PID/maps and smaps, NT_FILE and a
 * readlink of /proc/PID/exe append it to the path of a file unlinked since
 * it was mapped (fs/d_path.c).  It is a remark, not part of the path:
 * readers take it off and keep a flag instead.
 */
#ifndef MEMSNAP_PATH_DELETED_H
#define MEMSNAP_PATH_DELETED_H

#include <stdbool.h>
#include <stddef.h>

#define DELETED_SUFFIX " (deleted)"

/*
 * The length of the len bytes at path without a trailing " (deleted)";
 * *deleted says whether there was one.  A path that is nothing but the
 * remark is left as it is.
 */
size_t path_deleted_strip(const char *path, size_t len, bool *deleted);

#endif
