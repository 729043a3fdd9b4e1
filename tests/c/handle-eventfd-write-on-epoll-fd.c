/* handle-eventfd-write-on-epoll-fd: eventfd_write() and eventfd_read() are
 * glibc wrappers of write(2)/read(2) of 8 bytes, so on an epoll fd they fail
 * EINVAL like write and read do (ERR-EPFD-1/2), and change nothing: the
 * instance still reports exactly what is ready. Found by the differential
 * fuzzer (tests/diff, seed 3212): under the library eventfd_write on an epoll
 * fd succeeded (it reached the handle eventfd). */
#include "check.h"

int main(void)
{
    test_start();
    int ep = make_epoll();
    eventfd_t v = 0;
    expect_err(eventfd_write(ep, 3), EINVAL);
    expect_err(eventfd_read(ep, &v), EINVAL);
    expect_wait("nothing registered", ep, 8, 0, "none");
    struct pollfd p = { ep, POLLIN, 0 };
    expect_eq("poll on the epoll fd", poll(&p, 1, 0), 0);
    int outer = make_epoll();
    expect_ok(ep_add(outer, ep, EPOLLIN, 1));
    expect_wait("outer", outer, 8, 0, "none");
    expect_err(eventfd_write(ep, 1), EINVAL);
    expect_wait("outer after eventfd_write on the inner", outer, 8, 0, "none");
    close(outer);
    close(ep);
    return test_done();
}
