/* et-write-via-dup-is-edge: an edge comes from the file, not from the fd
 * number written through. A registered eventfd, pipe or socket written
 * through another descriptor of the same file (a dup made before the ADD)
 * gets an edge on every write, as when written through the registered
 * number. Found by the differential fuzzer (tests/diff, seeds 3360 and
 * 3344): writes through the other fd gave no edge under the library. */
#include "check.h"

static void one(const char *name, int reg, int wfd, int is_efd, const char *want)
{
    char line[128];
    int ep = make_epoll();
    uint64_t one = 1;
    check(ep_add(ep, reg, EPOLLIN | EPOLLET, 1) == 0);
    if (is_efd) check(write(wfd, &one, 8) == 8);
    else put(wfd, 1);
    snprintf(line, sizeof line, "%s: first write", name);
    expect_wait(line, ep, 8, 0, want);
    if (is_efd) check(eventfd_write(wfd, 1) == 0);
    else put(wfd, 1);
    snprintf(line, sizeof line, "%s: second write", name);
    expect_wait(line, ep, 8, 0, want);
    close(ep);
}

int main(void)
{
    test_start();
    int e = make_eventfd(0, 0), e2 = dup(e);
    one("eventfd, registered dup", e2, e, 1, "IN data=1");
    int s = make_eventfd(0, EFD_SEMAPHORE), s2 = dup(s);
    one("semaphore eventfd, registered dup", s2, s, 1, "IN data=1");
    int p[2];
    make_pipe(p);
    int w2 = dup(p[1]);
    one("pipe, written through a dup of the write end", p[0], w2, 0, "IN data=1");
    int r2 = dup(p[0]);
    one("pipe, registered dup of the read end", r2, p[1], 0, "IN data=1");
    int sv[2];
    make_socketpair(SOCK_STREAM, sv);
    int x = dup(sv[1]);
    one("socketpair, written through a dup of the peer", sv[0], x, 0, "IN data=1");
    close(e); close(e2); close(s); close(s2);
    close(p[0]); close(p[1]); close(w2); close(r2);
    close(sv[0]); close(sv[1]); close(x);
    return test_done();
}
