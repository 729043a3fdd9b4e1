/* nested-select-on-epoll-fd: select(2) sees an epoll fd as readable exactly
 * when epoll_wait on it would return an event, and never as writable (the
 * epoll file has no write side; SEMANTICS 1.6, 9.1). Older code and
 * toolkits still use select() to wait on an epoll fd next to other fds. */
#include "check.h"
#include <sys/select.h>

static void sel(const char *label, int ep, int want_r, int want_w)
{
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(ep, &r);
    FD_SET(ep, &w);
    struct timeval tv = { 0, 0 };
    int n = select(ep + 1, &r, &w, NULL, &tv);
    check(n >= 0);
    int gr = FD_ISSET(ep, &r) != 0, gw = FD_ISSET(ep, &w) != 0;
    say("%s: n=%d readable=%s writable=%s", label, n, gr ? "yes" : "no", gw ? "yes" : "no");
    if (gr != want_r || gw != want_w) g_failed = 1;
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    sel("nothing ready", ep, 0, 0);
    put(p[1], 1);
    sel("item ready", ep, 1, 0);
    check(drain(p[0]) == 1);
    sel("drained", ep, 0, 0);
    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
