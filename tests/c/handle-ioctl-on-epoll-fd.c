/* handle-ioctl-on-epoll-fd: since Linux 6.9 an epoll fd has an ioctl method
 * (EPIOCSPARAMS/EPIOCGPARAMS) that fails EINVAL for any other request, so
 * FIONREAD on an epoll fd is EINVAL, not the ENOTTY of a file without one.
 * FIONBIO is handled by the VFS for every file and succeeds. Found by the
 * differential fuzzer (tests/diff, seed 1). */
#include "check.h"
#include <sys/ioctl.h>

int main(void)
{
    test_start();
    int ep = make_epoll();
    int n = -1, on = 1, off = 0;
    expect_err(ioctl(ep, FIONREAD, &n), EINVAL);
    expect_err(ioctl(ep, TCGETS, &n), EINVAL);
    expect_ok(ioctl(ep, FIONBIO, &on));
    expect_ok(ioctl(ep, FIONBIO, &off));
    close(ep);
    return test_done();
}
