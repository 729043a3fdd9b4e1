/* limits-emfile: with the descriptor table full (RLIMIT_NOFILE lowered to
 * 1024 and every free number below it taken), epoll_create and epoll_create1
 * fail EMFILE (LIM-EMFILE-1, MUST 33), and the failure leaks nothing: after
 * closing the fillers and restoring the limit, the lowest free fds are the
 * same as before, and a new instance works. A library that allocates
 * several internal fds per instance must release the ones it got when a
 * later one fails. The limit stays above 900, where the library may keep its
 * internal fds. */
#include "check.h"

static int g_fill[2048];

int main(void)
{
    test_start();
    struct rlimit old, low;
    check(getrlimit(RLIMIT_NOFILE, &old) == 0);
    check(old.rlim_cur >= 1024);
    low = old;
    low.rlim_cur = 1024;
    check(setrlimit(RLIMIT_NOFILE, &low) == 0);

    int nfill = 0;
    for (;;) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            check(errno == EMFILE);
            break;
        }
        check(nfill < (int)(sizeof g_fill / sizeof g_fill[0]));
        g_fill[nfill++] = fd;
    }
    say("descriptor table full: %s", nfill > 0 ? "yes" : "no");

    expect_err(epoll_create1(0), EMFILE);
    expect_err(epoll_create1(EPOLL_CLOEXEC), EMFILE);
    expect_err(epoll_create(1), EMFILE);

    /* one free slot: enough for an instance */
    close(g_fill[--nfill]);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    say("one free slot, epoll_create1: %s", rcname(ep, errno));
    if (ep < 0) g_failed = 1;
    else close(ep);

    while (nfill > 0) close(g_fill[--nfill]);
    check(setrlimit(RLIMIT_NOFILE, &old) == 0);

    int p[2];
    make_pipe(p);
    ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    put(p[1], 1);
    expect_wait("a new instance after EMFILE", ep, 8, 0, "IN data=1");
    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
