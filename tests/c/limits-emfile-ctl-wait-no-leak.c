/* limits-emfile-ctl-wait-no-leak: the kernel's epoll needs a descriptor only
 * to create an instance. With the descriptor table full (RLIMIT_NOFILE
 * lowered to 1024, every free number below it taken), creating an instance
 * fails EMFILE, but everything else works on existing instances: ADD, MOD,
 * DEL, nesting, waits with timeout 0 and with a timeout (blocking: a library
 * that makes its wake descriptor lazily must not need one here), a wait woken
 * by another thread, and poll(2) on the epoll fd. After the fillers are
 * closed and the limit restored, the number of entries in /proc/self/fd is
 * what it was before: nothing internal was leaked or left half-made. */
#include "check.h"
#include <dirent.h>

static int g_fill[2048];
static int g_wake_fd;

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    check(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;      /* the directory's own descriptor */
}

static void *waker(void *arg)
{
    (void)arg;
    sleep_ms(100);
    uint64_t one = 1;
    check(write(g_wake_fd, &one, 8) == 8);
    return NULL;
}

int main(void)
{
    test_start();
    int before = count_fds();
    struct rlimit old, low;
    check(getrlimit(RLIMIT_NOFILE, &old) == 0);
    check(old.rlim_cur >= 1024);
    low = old;
    low.rlim_cur = 1024;
    check(setrlimit(RLIMIT_NOFILE, &low) == 0);

    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ef = make_eventfd(0, 0);
    g_wake_fd = ef;
    int ep = make_epoll();
    int inner = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    int nfill = 0;
    for (;;) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) { check(errno == EMFILE); break; }
        check(nfill < (int)(sizeof g_fill / sizeof g_fill[0]));
        g_fill[nfill++] = fd;
    }
    say("descriptor table full: %s", nfill > 0 ? "yes" : "no");

    expect_err(epoll_create1(EPOLL_CLOEXEC), EMFILE);
    expect_err(epoll_create(1), EMFILE);
    expect_err(dup(ep), EMFILE);
    expect_ok(ep_add(ep, q[0], EPOLLIN | EPOLLET, 2));
    expect_ok(ep_mod(ep, p[0], EPOLLIN | EPOLLOUT, 3));
    expect_ok(ep_add(ep, ef, EPOLLIN, 4));
    expect_ok(ep_add(inner, q[0], EPOLLIN, 5));
    expect_ok(ep_add(ep, inner, EPOLLIN, 6));
    expect_wait("full table, nothing ready, timeout 0", ep, 8, 0, "none");
    expect_wait("full table, nothing ready, timeout 20 ms", ep, 8, 20, "none");
    expect_ok(ep_del(ep, q[0]));
    put(q[1], 1);
    expect_wait("full table, q written", ep, 8, 0, "IN data=6");
    check(drain(q[0]) == 1);
    pthread_t t;
    check(pthread_create(&t, NULL, waker, NULL) == 0);
    expect_wait("full table, woken by another thread", ep, 8, 5000, "IN data=4");
    check(pthread_join(t, NULL) == 0);
    struct pollfd pf = { ep, POLLIN, 0 };
    expect_eq("poll on the epoll fd", poll(&pf, 1, 0), 1);
    expect_ok(ep_del(ep, p[0]));
    expect_err(ep_del(ep, p[0]), ENOENT);

    while (nfill > 0) close(g_fill[--nfill]);
    check(setrlimit(RLIMIT_NOFILE, &old) == 0);

    int ep2 = make_epoll();
    put(q[1], 1);
    expect_ok(ep_add(ep2, q[0], EPOLLIN, 7));
    expect_wait("a new instance afterwards", ep2, 8, 0, "IN data=7");
    close(ep2);
    close(ep);
    close(inner);
    close(ef);
    close(p[0]); close(p[1]);
    close(q[0]); close(q[1]);
    int after = count_fds();
    say("/proc/self/fd entries back to the start: %s", after == before ? "yes" : "no");
    if (after != before) { g_failed = 1; say("MISMATCH before %d after %d", before, after); }
    return test_done();
}
