/* bench/common.h - helpers shared by the benchmark programs.
 *
 * The programs are plain epoll programs: run natively they use the kernel's
 * epoll, run with LD_PRELOAD=librepoll.so they use repoll's. They say which
 * one served them through the weak repoll_version symbol (include/epoll.h),
 * so bench/run.sh can check that the preload really took effect.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

const char *repoll_version(void) __attribute__((weak));

static inline const char *bench_epoll_name(void)
{
    return repoll_version ? "repoll" : "kernel";
}

#define DIE(...)                                                               \
    do {                                                                       \
        fprintf(stderr, "%s: ", program_invocation_short_name);                \
        fprintf(stderr, __VA_ARGS__);                                          \
        fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno));          \
        exit(3);                                                               \
    } while (0)

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft one. */
static inline long raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        DIE("getrlimit");
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            DIE("setrlimit(RLIMIT_NOFILE, %ld)", (long)rl.rlim_max);
    }
    return (long)rl.rlim_cur;
}

/* VmRSS of this process in bytes, from /proc/self/status (0 if unknown). */
static inline long vm_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    long kb = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024;
}

/* The number of descriptors open right now (entries of /proc/self/fd, minus
 * the one opendir uses), or -1. */
#include <dirent.h>
static inline long open_fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    long n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;
}

#endif
