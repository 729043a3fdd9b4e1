/* lifetime-close-dup-keeps-original-item: an item is keyed by (fd, file).
 * Closing a dup of a registered fd (one made before the ADD, and never
 * registered itself) leaves the item of the original number alone: it still
 * reports, and DEL of it succeeds. Found by the differential fuzzer
 * (tests/diff, seed 322), with the dup made by dup2 onto a high number.
 * Likewise when both numbers are registered and dup3 replaces one of them
 * with another file, the other's item stays (seed 1205: a second ADD of it
 * must fail EEXIST). */
#include "check.h"

static void one(const char *name, int hi)
{
    char line[128];
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    int d = hi ? dup2(p[0], 208) : dup(p[0]);
    check(d >= 0);
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    expect_err(ep_mod(ep, d, EPOLLIN, 2), ENOENT);
    check(close(d) == 0);
    put(p[1], 1);
    snprintf(line, sizeof line, "%s: original still reports", name);
    expect_wait(line, ep, 8, 0, "IN data=1");
    expect_ok(ep_del(ep, p[0]));
    snprintf(line, sizeof line, "%s: after DEL", name);
    expect_wait(line, ep, 8, 0, "none");
    close(ep);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    test_start();
    one("dup", 0);
    one("dup2 onto 208", 1);

    int sv[2], p[2];
    make_socketpair(SOCK_STREAM, sv);
    make_pipe(p);
    int ep = make_epoll();
    int d = dup2(sv[0], 200);
    check(d == 200);
    expect_ok(ep_add(ep, sv[0], EPOLLIN, 1));
    expect_ok(ep_add(ep, d, EPOLLOUT, 2));
    expect_wait("both registered", ep, 8, 0, "OUT data=2");
    check(dup3(p[0], d, O_CLOEXEC) == d);
    expect_err(ep_add(ep, sv[0], EPOLLIN, 3), EEXIST);
    put(sv[1], 1);
    /* the item (200, socket) lives on while the socket is open */
    expect_wait("after dup3 replaced the other number", ep, 8, 0, "OUT data=2, IN data=1");
    close(d);
    close(ep);
    close(sv[0]); close(sv[1]);
    close(p[0]); close(p[1]);
    return test_done();
}
