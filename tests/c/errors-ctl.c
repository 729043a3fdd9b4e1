/* errors-ctl: the errno of every individual epoll_ctl failure (SEMANTICS 2.2,
 * ERR-CTL-1..23): EBADF for a bad epfd or fd (also an O_PATH fd), EPERM for
 * files without a poll method (regular file, directory, /dev/null), EINVAL
 * for fd == epfd, an epfd that is not an epoll fd, or an unknown op, ENOENT
 * for MOD/DEL of an unregistered fd, EEXIST for a second ADD, EFAULT for a
 * NULL event on ADD/MOD while DEL ignores the event pointer. Unknown event
 * bits are accepted and data is echoed bit for bit (ERR-CTL-22/23). */
#include "check.h"

int main(void)
{
    test_start();
    char path[] = "/tmp/repoll-errors-ctl-XXXXXX";
    int reg = mkstemp(path);
    check(reg >= 0);
    unlink(path);
    int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    check(dir >= 0);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    check(devnull >= 0);
    int opath = open("/tmp", O_PATH | O_CLOEXEC);
    check(opath >= 0);
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    int closed_fd = dup(p[0]);
    check(closed_fd >= 0);
    close(closed_fd);
    int closed_ep = make_epoll();
    close(closed_ep);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };

    expect_err(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    expect_err(epoll_ctl(closed_ep, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), EBADF);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, closed_fd, &ev), EBADF);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, opath, &ev), EBADF);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, devnull, &ev), EPERM);
    expect_err(epoll_ctl(ep, EPOLL_CTL_DEL, reg, NULL), EPERM);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    expect_err(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
    expect_err(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
    expect_err(epoll_ctl(ep, 0, p[0], &ev), EINVAL);
    expect_err(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    expect_err(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev), ENOENT);
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL), EFAULT);
    expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    expect_err(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], NULL), EFAULT);
    expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    expect_err(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);

    /* unknown bits accepted; data echoed bit for bit */
    expect_ok(ep_add(ep, p[0], EPOLLIN | 0x00f00000u, UINT64_MAX));
    put(p[1], 1);
    expect_wait("UINT64_MAX data with unknown bits in the interest", ep, 8, 0,
                "IN data=18446744073709551615");

    close(ep);
    close(p[0]);
    close(p[1]);
    close(reg);
    close(dir);
    close(devnull);
    close(opath);
    return test_done();
}
