/* bench/ring.c - token ring: K threads connected by pipes pass one token.
 *
 *   ring K DURATION_MS [WARMUP_MS]
 *
 * Thread i has its own epoll instance watching the read end of pipe i
 * (EPOLLIN, level-triggered). It blocks in epoll_wait, reads the token and
 * writes it into pipe i+1 (mod K). Thread 0 counts laps (round trips of the
 * token through all K threads). After a warm-up of WARMUP_MS (default a
 * tenth of DURATION_MS, at least 50 ms) it measures for DURATION_MS, then sends a stop token
 * around the ring and every thread exits.
 *
 * Output, one line on stdout:
 *   ring epoll=kernel|repoll k=K laps=L secs=S lapsps=R hopsps=H
 * Exit status 0 on success, 3 on failure (a wait that times out after
 * WAIT_TIMEOUT_MS, an unexpected event, a system call error).
 */
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>

#define WAIT_TIMEOUT_MS 10000

static int k;
static int (*pipes)[2];
static uint64_t warm_ns, dur_ns;
static long laps;
static double secs;

static void *node(void *arg)
{
    int i = (int)(intptr_t)arg;
    int in = pipes[i][0], out = pipes[(i + 1) % k][1];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        DIE("thread %d: epoll_create1", i);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev) != 0)
        DIE("thread %d: epoll_ctl", i);
    uint64_t start = now_ns(), mstart = 0;
    int measuring = 0;
    long n = 0;
    for (;;) {
        int r = epoll_wait(ep, &ev, 1, WAIT_TIMEOUT_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 1) {
            errno = r == 0 ? ETIMEDOUT : errno;
            DIE("thread %d: epoll_wait returned %d", i, r);
        }
        if (ev.data.u32 != (uint32_t)i || !(ev.events & EPOLLIN))
            DIE("thread %d: unexpected event %#x data %u", i, ev.events, ev.data.u32);
        char c;
        if (read(in, &c, 1) != 1)
            DIE("thread %d: read", i);
        if (i == 0) {
            if (c == 'q')
                break; /* the stop token went all the way round */
            uint64_t t = now_ns();
            n++;
            if (!measuring && t - start >= warm_ns) {
                measuring = 1;
                mstart = t;
                n = 0;
            } else if (measuring && t - mstart >= dur_ns) {
                laps = n;
                secs = (double)(t - mstart) / 1e9;
                c = 'q';
            }
        }
        if (write(out, &c, 1) != 1)
            DIE("thread %d: write", i);
        if (c == 'q' && i != 0)
            break;
    }
    close(ep);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ring K DURATION_MS [WARMUP_MS]\n");
        return 2;
    }
    k = atoi(argv[1]);
    long dur_ms = atol(argv[2]);
    long warm_ms = argc > 3 ? atol(argv[3]) : (dur_ms > 500 ? dur_ms / 10 : 50);
    if (k < 2) {
        fprintf(stderr, "ring: K must be at least 2\n");
        return 2;
    }
    raise_nofile();
    alarm((unsigned)((dur_ms + warm_ms) / 1000) + 120); /* never outlive a hang */
    dur_ns = (uint64_t)dur_ms * 1000000ull;
    warm_ns = (uint64_t)warm_ms * 1000000ull;
    pipes = calloc((size_t)k, sizeof *pipes);
    pthread_t *th = calloc((size_t)k, sizeof *th);
    if (!pipes || !th)
        DIE("calloc");
    for (int i = 0; i < k; i++)
        if (pipe2(pipes[i], O_CLOEXEC) != 0)
            DIE("pipe2 %d", i);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < k; i++)
        if (pthread_create(&th[i], &attr, node, (void *)(intptr_t)i) != 0)
            DIE("pthread_create %d", i);
    char c = 't';
    if (write(pipes[0][1], &c, 1) != 1)
        DIE("write token");
    for (int i = 0; i < k; i++)
        pthread_join(th[i], NULL);
    printf("ring epoll=%s k=%d laps=%ld secs=%.3f lapsps=%.1f hopsps=%.1f\n", bench_epoll_name(), k,
           laps, secs, laps / secs, laps * (double)k / secs);
    return 0;
}
