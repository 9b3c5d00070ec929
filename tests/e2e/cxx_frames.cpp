/*
 * cxx_frames: C++ frames for the demangler's end-to-end test
 * (tests/e2e/cxx_frames.sh).  -t N threads (default 3) each block in a read
 * nobody answers, several C++ calls deep: a function in an anonymous
 * namespace, an operator, a member function, a member of a class template
 * instantiated over std::string.  The main thread prints "pid P" and
 * "ready" once every thread is on its way to the read, then reads stdin
 * until EOF.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string>
#include <unistd.h>

static int pipefd[2];
static sem_t started;

namespace app {

template <typename T> struct Box {
        T value;
        __attribute__((noinline)) int wait(int fd) const;
};

template <typename T> int Box<T>::wait(int fd) const
{
        char c;
        ssize_t n;
        while ((n = read(fd, &c, 1)) > 0)
                ;
        return (int)n + (int)value.size();
}

struct Worker {
        int id;
        __attribute__((noinline)) int block(int fd);
        __attribute__((noinline)) int operator()(const std::string &name);
};

int Worker::block(int fd)
{
        Box<std::string> box{ std::string(40, 'x') };
        sem_post(&started);
        return box.wait(fd) + id;
}

int Worker::operator()(const std::string &name)
{
        return block(pipefd[0]) + (int)name.size();
}

} // namespace app

namespace {

__attribute__((noinline)) void *thread_main(void *arg)
{
        app::Worker w{ (int)(long)arg };
        int r = w(std::string("worker"));
        return (void *)(long)r;
}

} // namespace

int main(int argc, char **argv)
{
        long n = argc > 2 && std::string(argv[1]) == "-t" ? atol(argv[2]) : 3;
        char buf[64];

        if (n < 1 || pipe(pipefd) < 0 || sem_init(&started, 0, 0) < 0)
                return 1;
        for (long i = 0; i < n; i++) {
                pthread_t t;
                if (pthread_create(&t, nullptr, thread_main, (void *)i) != 0)
                        return 1;
        }
        for (long i = 0; i < n; i++)
                while (sem_wait(&started) != 0)
                        ;
        printf("pid %d\nready\n", (int)getpid());
        fflush(stdout);
        while (read(0, buf, sizeof(buf)) > 0)
                ;
        return 0;
}
