/* threads-et-stress: 4 writer threads each write 20000 single bytes into
 * their own nonblocking pipe or socketpair while 3 waiter threads share one
 * epoll instance with every read end registered EPOLLIN|EPOLLET|EPOLLONESHOT.
 * A waiter that gets an event drains the fd to EAGAIN, counts the bytes and
 * re-arms it with EPOLL_CTL_MOD. MOD polls the file, so data that arrived
 * between the EAGAIN and the MOD is reported again (SEMANTICS 3.1.3): no
 * byte can be stranded. Every byte written must be read: a lost edge leaves
 * bytes unread and the test fails after 15 s. This is the worker-pool pattern
 * of many servers, under contention. Prints only "total ok". */
#include "check.h"

#define WRITERS 4
#define WAITERS 3
#define PER_WRITER 20000

static int g_ep;
static int g_rd[WRITERS], g_wr[WRITERS];
static atomic_long g_read;
static atomic_int g_stop;

static void *writer(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (int k = 0; k < PER_WRITER;) {
        ssize_t w = write(g_wr[i], "x", 1);
        if (w == 1) { k++; continue; }
        check(w < 0 && (errno == EAGAIN || errno == EINTR));
        struct pollfd pfd = { g_wr[i], POLLOUT, 0 };
        poll(&pfd, 1, 100);
    }
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    struct epoll_event ev[4];
    while (!atomic_load(&g_stop)) {
        int n = epoll_wait(g_ep, ev, 4, 100);
        if (n < 0) { check(errno == EINTR); continue; }
        for (int j = 0; j < n; j++) {
            int i = (int)ev[j].data.u64;
            check(i >= 0 && i < WRITERS);
            long got = drain(g_rd[i]);
            check(errno == EAGAIN);
            atomic_fetch_add(&g_read, got);
            check(ep_mod(g_ep, g_rd[i], EPOLLIN | EPOLLET | EPOLLONESHOT, (uint64_t)i) == 0);
        }
    }
    return NULL;
}

int main(void)
{
    test_start();
    g_ep = make_epoll();
    for (int i = 0; i < WRITERS; i++) {
        int fds[2];
        if (i % 2 == 0) make_pipe(fds);
        else make_socketpair(SOCK_STREAM, fds);
        g_rd[i] = fds[0];
        g_wr[i] = fds[1];
        check(ep_add(g_ep, g_rd[i], EPOLLIN | EPOLLET | EPOLLONESHOT, (uint64_t)i) == 0);
    }
    pthread_t w[WRITERS], r[WAITERS];
    for (int i = 0; i < WAITERS; i++) check(pthread_create(&r[i], NULL, waiter, NULL) == 0);
    for (int i = 0; i < WRITERS; i++) check(pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i) == 0);
    for (int i = 0; i < WRITERS; i++) check(pthread_join(w[i], NULL) == 0);

    const long total = (long)WRITERS * PER_WRITER;
    long long deadline = now_ns() + 15000000000LL;
    while (atomic_load(&g_read) < total && now_ns() < deadline) sleep_ms(10);
    atomic_store(&g_stop, 1);
    for (int i = 0; i < WAITERS; i++) check(pthread_join(r[i], NULL) == 0);

    long got = atomic_load(&g_read);
    if (got == total) say("total ok");
    else {
        say("total MISMATCH: read %ld of %ld bytes", got, total);
        g_failed = 1;
    }
    for (int i = 0; i < WRITERS; i++) {
        close(g_rd[i]);
        close(g_wr[i]);
    }
    close(g_ep);
    return test_done();
}
