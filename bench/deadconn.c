/* bench/deadconn.c - "dead connections": 1-byte ping-pong through epoll_wait
 * with N idle descriptors registered in the same instance.
 *
 *   deadconn MODE N DURATION_MS [HEADROOM [WARMUP_MS]]
 *
 *   MODE      lt    epoll, level-triggered (one read per round trip)
 *             et    epoll, edge-triggered (reads until EAGAIN, as ET code must)
 *             poll  plain poll(2) over the N idle descriptors plus the active one
 *   N         number of idle descriptors, or "max": as many as the hard
 *             RLIMIT_NOFILE allows (the soft limit is raised to the hard one),
 *             less HEADROOM descriptors (default 64) left for the library
 *   DURATION_MS  measured time
 *   WARMUP_MS round trips before the measurement (default: a tenth of
 *             DURATION_MS, at least 50 ms); long enough for an implementation
 *             that sorts descriptors into hot and cold ones to settle, since
 *             the idle descriptors of a real server have been idle for long
 *
 * The measured thread owns end A of a socketpair and the epoll instance (or
 * the pollfd array). A peer thread blocks in read(2) on end B and echoes each
 * byte. One round trip: write 1 byte to A, wait in epoll_wait (or poll) until
 * A is readable, read it. The idle descriptors are both ends of N/2 other
 * socketpairs, registered for EPOLLIN (plus EPOLLET in et mode): empty, so
 * never ready. Any event on one of them is reported as an error.
 *
 * Output, one line on stdout:
 *   deadconn epoll=kernel|repoll mode=lt n=N rt=ROUNDTRIPS secs=S rtps=R
 *            reg_ns=T rss_a=B rss_b=B rss_c=B rss_d=B
 * reg_ns is the time of the N epoll_ctl(ADD) calls for the idle descriptors;
 * rss_a/b/c/d are VmRSS before creating the idle descriptors, after creating
 * them, after registering them, and after the measured round trips (so that
 * memory an implementation allocates lazily, at the first wait, counts). Exit status 0 on success, 3 on failure
 * (a wait that times out, a wrong event, a system call error).
 */
#include "common.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define WAIT_TIMEOUT_MS 5000

static int peer_fd;

static void *peer(void *arg)
{
    (void)arg;
    for (;;) {
        char c;
        ssize_t r = read(peer_fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 1)
            DIE("peer: read returned %zd", r);
        if (c == 'q')
            return NULL;
        if (write(peer_fd, &c, 1) != 1)
            DIE("peer: write");
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: deadconn lt|et|poll N|max DURATION_MS [HEADROOM [WARMUP_MS]]\n");
        return 2;
    }
    const char *mode = argv[1];
    int et = !strcmp(mode, "et"), use_poll = !strcmp(mode, "poll");
    if (!et && !use_poll && strcmp(mode, "lt")) {
        fprintf(stderr, "deadconn: bad mode '%s'\n", mode);
        return 2;
    }
    long dur_ms = atol(argv[3]);
    long headroom = argc > 4 ? atol(argv[4]) : 64;
    long warm_ms = argc > 5 ? atol(argv[5]) : (dur_ms > 500 ? dur_ms / 10 : 50);
    long soft = raise_nofile();
    alarm((unsigned)((dur_ms + warm_ms) / 1000) + 120); /* never outlive a hang */

    long n;
    if (!strcmp(argv[2], "max")) {
        /* open now + active pair + epoll fd + idle ones + headroom <= soft */
        n = soft - open_fd_count() - 3 - headroom;
    } else {
        n = atol(argv[2]);
    }
    n &= ~1L; /* idle descriptors come in socketpairs */
    if (n < 0)
        n = 0;

    int ep = -1;
    if (!use_poll && (ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        DIE("epoll_create1");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        DIE("socketpair (active)");
    int a = sv[0];
    peer_fd = sv[1];
    if (fcntl(a, F_SETFL, O_NONBLOCK) != 0)
        DIE("fcntl");

    long rss_a = vm_rss_bytes();
    int *idle = malloc(sizeof(int) * (size_t)(n ? n : 1));
    struct pollfd *pfd = use_poll ? calloc((size_t)n + 1, sizeof *pfd) : NULL;
    if (!idle || (use_poll && !pfd))
        DIE("malloc");
    for (long i = 0; i < n; i += 2) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, idle + i) != 0)
            DIE("socketpair (idle %ld of %ld)", i, n);
    }
    long rss_b = vm_rss_bytes();

    uint64_t reg_ns = 0;
    uint32_t evmask = EPOLLIN | (et ? EPOLLET : 0);
    if (use_poll) {
        for (long i = 0; i < n; i++)
            pfd[i] = (struct pollfd){ .fd = idle[i], .events = POLLIN };
        pfd[n] = (struct pollfd){ .fd = a, .events = POLLIN };
    } else {
        uint64_t t0 = now_ns();
        for (long i = 0; i < n; i++) {
            struct epoll_event ev = { .events = evmask, .data.u64 = (uint64_t)idle[i] };
            if (epoll_ctl(ep, EPOLL_CTL_ADD, idle[i], &ev) != 0)
                DIE("epoll_ctl ADD idle %ld of %ld (fd %d)", i, n, idle[i]);
        }
        reg_ns = now_ns() - t0;
        /* The active connection is the newest, as in a server. */
        struct epoll_event ev = { .events = evmask, .data.u64 = 0xac71feull };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) != 0)
            DIE("epoll_ctl ADD active");
    }
    long rss_c = vm_rss_bytes();

    pthread_t th;
    if (pthread_create(&th, NULL, peer, NULL) != 0)
        DIE("pthread_create");

    struct epoll_event evs[64];
    uint64_t warm_ns = (uint64_t)warm_ms * 1000000ull;
    uint64_t dur_ns = (uint64_t)dur_ms * 1000000ull;
    uint64_t start = now_ns(), t = start, mstart = 0;
    long rt = 0;
    int measuring = 0;
    for (;;) {
        char c = 'x';
        if (write(a, &c, 1) != 1)
            DIE("write");
        if (use_poll) {
            int r = poll(pfd, (nfds_t)n + 1, WAIT_TIMEOUT_MS);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                DIE("poll returned %d after %ld round trips", r, rt);
            if (r != 1 || !(pfd[n].revents & POLLIN))
                DIE("poll: %d ready, active revents %#x", r, pfd[n].revents);
        } else {
            int r;
            do
                r = epoll_wait(ep, evs, 64, WAIT_TIMEOUT_MS);
            while (r < 0 && errno == EINTR);
            if (r <= 0) {
                errno = r == 0 ? ETIMEDOUT : errno;
                DIE("epoll_wait returned %d after %ld round trips", r, rt);
            }
            if (r != 1 || evs[0].data.u64 != 0xac71feull || !(evs[0].events & EPOLLIN))
                DIE("epoll_wait: %d events, first data %#llx events %#x", r,
                    (unsigned long long)evs[0].data.u64, evs[0].events);
        }
        ssize_t got = read(a, &c, 1);
        if (got != 1)
            DIE("read returned %zd", got);
        if (et) { /* edge-triggered code reads until EAGAIN */
            char buf[16];
            if (read(a, buf, sizeof buf) != -1 || errno != EAGAIN)
                DIE("read after the byte: expected EAGAIN");
        }
        rt++;
        t = now_ns();
        if (!measuring) {
            if (t - start >= warm_ns) {
                measuring = 1;
                mstart = t;
                rt = 0;
            }
        } else if (t - mstart >= dur_ns) {
            break;
        }
    }
    double secs = (double)(t - mstart) / 1e9;
    long rss_d = vm_rss_bytes(); /* steady state: after the waits */
    char q = 'q';
    if (write(a, &q, 1) != 1)
        DIE("write q");
    pthread_join(th, NULL);
    printf("deadconn epoll=%s mode=%s n=%ld rt=%ld secs=%.3f rtps=%.1f reg_ns=%llu "
           "rss_a=%ld rss_b=%ld rss_c=%ld rss_d=%ld\n",
           bench_epoll_name(), mode, n, rt, secs, rt / secs, (unsigned long long)reg_ns,
           rss_a, rss_b, rss_c, rss_d);
    fflush(stdout);
    _exit(0); /* the kernel closes the idle descriptors */
}
