/* handle-read-write-einval: read(), write(), readv() and writev() on an
 * epoll fd fail EINVAL whatever the size (pread/pwrite: ESPIPE), and change
 * nothing (ERR-EPFD-1/2, MUST 32). An
 * emulation that uses an eventfd or pipe as the visible handle must not let
 * them through: a write would add to its counter, an 8-byte read would
 * consume it. After the failed calls the instance still reports exactly as
 * before. */
#include "check.h"
#include <sys/uio.h>

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    uint64_t v = 1;
    char buf[64];

    expect_err(read(ep, &v, sizeof v), EINVAL);
    expect_err(write(ep, &v, sizeof v), EINVAL);
    expect_err(read(ep, buf, 1), EINVAL);
    expect_err(write(ep, buf, sizeof buf), EINVAL);
    struct iovec iov = { &v, sizeof v };
    expect_err(readv(ep, &iov, 1), EINVAL);
    expect_err(writev(ep, &iov, 1), EINVAL);
    expect_err(pread(ep, &v, sizeof v, 0), ESPIPE);
    expect_err(pwrite(ep, &v, sizeof v, 0), ESPIPE);
    expect_wait("nothing ready after the failed calls", ep, 8, 0, "none");
    struct pollfd pfd = { ep, POLLIN, 0 };
    expect_eq("poll on the epoll fd", poll(&pfd, 1, 0), 0);
    put(p[1], 1);
    expect_err(read(ep, &v, sizeof v), EINVAL);
    expect_wait("item ready after another failed read", ep, 8, 0, "IN data=1");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
