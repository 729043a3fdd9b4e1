/* lifetime-dup3-einval-changes-nothing: dup3() with invalid flags (anything
 * but O_CLOEXEC) or with oldfd == newfd fails EINVAL and changes nothing:
 * newfd keeps its file, so a registration of newfd stays, and an epoll fd
 * used as newfd stays an epoll fd. Found by the differential fuzzer
 * (tests/diff, seeds 100 and 119): under the library the failed dup3 dropped
 * newfd's registration and newfd's instance. */
#include "check.h"

int main(void)
{
    test_start();
    int sv[2], p[2];
    make_socketpair(SOCK_STREAM, sv);
    make_pipe(p);
    int ep = make_epoll();
    int ep2 = make_epoll();
    check(ep_add(ep, sv[1], EPOLLOUT, 1) == 0);
    expect_wait("registered", ep, 8, 0, "OUT data=1");

    expect_err(dup3(p[0], sv[1], 1), EINVAL);
    expect_err(dup3(p[0], sv[1], O_NONBLOCK), EINVAL);
    expect_wait("after dup3 with bad flags onto the registered fd", ep, 8, 0, "OUT data=1");
    expect_err(dup3(sv[1], sv[1], 0), EINVAL);
    expect_wait("after dup3 onto itself", ep, 8, 0, "OUT data=1");

    expect_err(dup3(p[0], ep2, 1), EINVAL);
    expect_ok(ep_add(ep2, p[0], EPOLLIN, 2));
    put(p[1], 1);
    expect_wait("epoll fd that was dup3's failed target", ep2, 8, 0, "IN data=2");
    expect_err(dup3(ep, ep, 0), EINVAL);
    expect_wait("epoll fd after dup3 onto itself", ep, 8, 0, "OUT data=1");

    close(ep2);
    close(ep);
    close(sv[0]); close(sv[1]);
    close(p[0]); close(p[1]);
    return test_done();
}
