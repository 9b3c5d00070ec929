/* Implementation of atomic_file.h: temporary, sync, rename. */
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

/*
 * The name a signal handler must unlink.  Signal handlers reach no context
 * struct, so this one path lives at file scope; it is written before the
 * handler is installed and cleared before the buffer is freed.
 */
static char signal_unlink_path[PATH_MAX];
/* Set once the file has its final name: a signal then ends the process with success. */
static volatile sig_atomic_t signal_committed;

/* The signals atomic_file_install_signal_cleanup handles. */
static void cleanup_signals(sigset_t *set)
{
        sigemptyset(set);
        sigaddset(set, SIGINT);
        sigaddset(set, SIGTERM);
        sigaddset(set, SIGHUP);
}

#define TMP_SUFFIX ".tmp-"
#define TMP_RANDOM 6    /* mkostemp's "XXXXXX" */

/* mkostemp's letters: glibc sysdeps/posix/tempname.c */
static bool is_tmp_letter(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Exactly BASE ".tmp-" and six of mkostemp's letters. */
static bool is_our_tmp_name(const char *name, const char *base)
{
        size_t n = strlen(base);
        if (strncmp(name, base, n) != 0 || strncmp(name + n, TMP_SUFFIX, strlen(TMP_SUFFIX)) != 0)
                return false;
        const char *r = name + n + strlen(TMP_SUFFIX);
        for (int i = 0; i < TMP_RANDOM; i++)
                if (!is_tmp_letter(r[i]))
                        return false;
        return r[TMP_RANDOM] == '\0';
}

/*
 * A named temporary is flock()ed for as long as its writer lives (the lock
 * goes with the process, SIGKILL included).  Temporaries for the same output
 * name that are regular files of ours and whose lock is free were left by a
 * killed run: they are removed.  Anything else is left alone.
 */
static void remove_stale_temporaries(const char *dir, const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return;
        const char *base = basename(copy);
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return;
        int scan_fd = dup(dfd);
        DIR *d = scan_fd >= 0 ? fdopendir(scan_fd) : NULL;
        if (!d) {
                if (scan_fd >= 0)
                        close(scan_fd);
                return;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
                if (!is_our_tmp_name(e->d_name, base))
                        continue;
                struct stat st, fst;
                if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
                    st.st_uid != geteuid())
                        continue;
                _cleanup_close_ int fd =
                        openat(dfd, e->d_name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                if (fd < 0 || fstat(fd, &fst) < 0 || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev)
                        continue;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                        continue;       /* its writer is alive */
                if (unlinkat(dfd, e->d_name, 0) == 0)
                        log_info("removed '%s/%s', left by an earlier run that was killed", dir, e->d_name);
        }
        closedir(d);
}

/*
 * mkostemp, then the lock.  A cleaner in another process may take the file
 * in the moment between the two; then the name is gone and we start over.
 */
static int create_locked_tmp(const char *path, char **out)
{
        for (int attempt = 0; attempt < 100; attempt++) {
                char *tmp;
                if (asprintf(&tmp, "%s" TMP_SUFFIX "XXXXXX", path) < 0)
                        return -ENOMEM;
                int fd = mkostemp(tmp, O_CLOEXEC);
                if (fd < 0) {
                        int r = -errno;
                        free(tmp);
                        return r;
                }
                struct stat fst, st;
                if (flock(fd, LOCK_EX) == 0 && fstat(fd, &fst) == 0 && lstat(tmp, &st) == 0 &&
                    st.st_ino == fst.st_ino && st.st_dev == fst.st_dev) {
                        *out = tmp;
                        return fd;
                }
                close(fd);
                free(tmp);
        }
        return -EEXIST;
}

static char *dir_of(const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return NULL;
        return strdup(dirname(copy));
}

int atomic_file_begin(struct atomic_file *af, const char *path, bool force, bool named)
{
        struct stat st;

        *af = (struct atomic_file)ATOMIC_FILE_INIT;
        af->force = force;

        if (lstat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                        return log_error_errno(EISDIR, "cannot write '%s': %m", path);
                if (!force)
                        return log_error_errno(EEXIST, "'%s' exists; use --force to replace it", path);
                /* A device, FIFO, socket or symlink is someone's: never renamed over, even as root. */
                if (!S_ISREG(st.st_mode))
                        return log_error_errno(EEXIST, "cannot write '%s': it is not a regular file, and --force replaces regular files only",
                                               path);
        }

        af->path = strdup(path);
        _cleanup_free_ char *dir = dir_of(path);
        if (!af->path || !dir)
                return log_error_errno(ENOMEM, "cannot write '%s': %m", path);

        if (!named) {
                int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
                if (fd >= 0) {
                        af->fd = fd;
                        return 0;
                }
                if (errno != EOPNOTSUPP && errno != EISDIR && errno != ENOENT && errno != EINVAL)
                        return log_error_errno(errno, "cannot create a file in '%s': %m", dir);
                /* ENOENT here also means the folder is missing: let mkostemp say so. */
        }

        remove_stale_temporaries(dir, path);
        int fd = create_locked_tmp(path, &af->tmp_path);
        if (fd < 0) {
                af->tmp_path = NULL;
                return log_error_errno(fd, "cannot create a file in '%s': %m", dir);
        }
        if (fchmod(fd, 0600) < 0) {
                int r = -errno;
                close(fd);
                unlink(af->tmp_path);
                return log_error_errno(r, "cannot set the mode of '%s': %m", af->tmp_path);
        }
        af->fd = fd;
        return 0;
}

static int link_tmpfile(struct atomic_file *af)
{
        char proc[64];

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", af->fd);
        if (!af->force) {
                /* linkat never replaces: a file that appeared meanwhile is kept. */
                if (linkat(AT_FDCWD, proc, AT_FDCWD, af->path, AT_SYMLINK_FOLLOW) < 0) {
                        if (errno == EEXIST)
                                return log_error_errno(EEXIST, "'%s' appeared while writing; use --force to replace it",
                                                       af->path);
                        return log_error_errno(errno, "cannot create '%s': %m", af->path);
                }
                return 0;
        }

        /* With --force: link under a unique name, then rename over the old file. */
        _cleanup_free_ char *tmp = NULL;
        bool linked = false;
        for (int attempt = 0; attempt < 100 && !linked; attempt++) {
                free(tmp);
                if (asprintf(&tmp, "%s.tmp-%d-%d", af->path, (int)getpid(), attempt) < 0) {
                        tmp = NULL;
                        return log_error_errno(ENOMEM, "cannot create '%s': %m", af->path);
                }
                linked = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0;
                if (!linked && errno != EEXIST)
                        return log_error_errno(errno, "cannot create '%s': %m", tmp);
        }
        /* Every name taken: the last one is someone else's file, never to be renamed. */
        if (!linked)
                return log_error_errno(EEXIST, "cannot create '%s': 100 temporary names beside it are taken",
                                       af->path);
        if (rename(tmp, af->path) < 0) {
                int r = -errno;
                unlink(tmp);
                return log_error_errno(r, "cannot rename '%s' to '%s': %m", tmp, af->path);
        }
        return 0;
}

static int sync_dir(const char *path)
{
        _cleanup_free_ char *dir = dir_of(path);
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

static int finish_commit(struct atomic_file *af);

static int rename_tmp(struct atomic_file *af)
{
        if (af->force) {
                if (rename(af->tmp_path, af->path) < 0)
                        return log_error_errno(errno, "cannot rename '%s' to '%s': %m", af->tmp_path, af->path);
                return 0;
        }
        if (renameat2(AT_FDCWD, af->tmp_path, AT_FDCWD, af->path, RENAME_NOREPLACE) == 0)
                return 0;
        if (errno == EEXIST)
                return log_error_errno(EEXIST, "'%s' appeared while writing; use --force to replace it", af->path);
        /* File systems without RENAME_NOREPLACE: link refuses to replace too. */
        if (errno != EINVAL && errno != ENOSYS)
                return log_error_errno(errno, "cannot rename '%s' to '%s': %m", af->tmp_path, af->path);
        if (link(af->tmp_path, af->path) < 0)
                return log_error_errno(errno, "cannot create '%s': %m", af->path);
        unlink(af->tmp_path);
        return 0;
}

int atomic_file_commit(struct atomic_file *af)
{
        int r;

        if (af->fd < 0)
                return log_error_errno(EBADF, "cannot commit '%s': it is not open", af->path);

        if (fsync(af->fd) < 0)
                return log_error_errno(errno, "cannot write '%s': %m", af->path);

        if (!af->tmp_path) {
                r = link_tmpfile(af);
                return r < 0 ? r : finish_commit(af);
        }

        /*
         * The rename and the note that it happened are one step for the
         * signal handler: it never sees the file renamed but still pending.
         */
        sigset_t block, old;
        cleanup_signals(&block);
        sigprocmask(SIG_BLOCK, &block, &old);
        r = rename_tmp(af);
        if (r == 0 && strcmp(signal_unlink_path, af->tmp_path) == 0) {
                signal_unlink_path[0] = '\0';
                signal_committed = 1;
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r < 0 ? r : finish_commit(af);
}

static int finish_commit(struct atomic_file *af)
{
        free(af->tmp_path);
        af->tmp_path = NULL;
        close(af->fd);
        af->fd = -1;
        (void)sync_dir(af->path);
        return 0;
}

void atomic_file_discard(struct atomic_file *af)
{
        if (af->tmp_path) {
                if (strcmp(signal_unlink_path, af->tmp_path) == 0)
                        signal_unlink_path[0] = '\0';
                unlink(af->tmp_path);
                free(af->tmp_path);
                af->tmp_path = NULL;
        }
        if (af->fd >= 0)
                close(af->fd);
        af->fd = -1;
        free(af->path);
        af->path = NULL;
}

/*
 * Before the commit: the temporary is removed and the command fails, exit 1
 * ("interrupted").  After it the file is whole and in place: exit 0.
 */
static void unlink_and_die(int sig)
{
        static const char msg[] = "memsnap: interrupted\n";
        (void)sig;
        if (signal_committed)
                _exit(0);
        if (signal_unlink_path[0])
                unlink(signal_unlink_path);
        ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)w;
        _exit(1);
}

void atomic_file_install_signal_cleanup(struct atomic_file *af)
{
        if (!af->tmp_path || strlen(af->tmp_path) >= sizeof(signal_unlink_path))
                return;
        strcpy(signal_unlink_path, af->tmp_path);
        signal_committed = 0;

        struct sigaction sa = { .sa_handler = unlink_and_die };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
}
