/* errors-ctl-precedence: which error wins when several apply (SEMANTICS 2.4):
 * the event is copied first for every op but DEL, so
 * epoll_ctl(-1, ADD, -1, NULL) is EFAULT and epoll_ctl(-1, 99, -1, NULL) is
 * EFAULT, while epoll_ctl(-1, DEL, -1, NULL) is EBADF (ERR-PREC-CTL-1..3);
 * then EBADF (epfd, then fd: ERR-PREC-CTL-4, -7); then EPERM for an
 * unpollable target, beating "epfd is not epoll", a bad op and ENOENT
 * (ERR-PREC-CTL-5, -6, -13, -9); then EINVAL for fd == epfd or a non-epoll
 * epfd (ERR-PREC-CTL-8); ELOOP beats EEXIST (5.); MOD of a nested epoll item
 * never checks loops (ERR-PREC-CTL-16). wepoll's test-error.c mimics the
 * same order. */
#include "check.h"

int main(void)
{
    test_start();
    char path[] = "/tmp/repoll-errors-prec-XXXXXX";
    int reg = mkstemp(path);
    check(reg >= 0);
    unlink(path);
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };

    expect_err(epoll_ctl(-1, EPOLL_CTL_ADD, -1, NULL), EFAULT);
    expect_err(epoll_ctl(-1, EPOLL_CTL_MOD, -1, NULL), EFAULT);
    expect_err(epoll_ctl(-1, 99, -1, NULL), EFAULT);
    expect_err(epoll_ctl(-1, EPOLL_CTL_DEL, -1, NULL), EBADF);
    expect_err(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    expect_err(epoll_ctl(p[1], EPOLL_CTL_ADD, -1, &ev), EBADF);
    expect_err(epoll_ctl(ep, 99, -1, &ev), EBADF);
    expect_err(epoll_ctl(p[1], EPOLL_CTL_ADD, reg, &ev), EPERM);
    expect_err(epoll_ctl(ep, 99, reg, &ev), EPERM);
    expect_err(epoll_ctl(ep, EPOLL_CTL_DEL, reg, NULL), EPERM);
    expect_err(epoll_ctl(reg, EPOLL_CTL_ADD, reg, &ev), EPERM);
    expect_err(epoll_ctl(p[0], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
    expect_err(epoll_ctl(p[1], 99, p[0], &ev), EINVAL);

    int inner = make_epoll();
    check(ep_add(ep, inner, EPOLLIN, 1) == 0);
    expect_err(ep_add(inner, ep, EPOLLIN, 0), ELOOP);
    expect_err(ep_add(ep, inner, EPOLLIN, 0), EEXIST);
    expect_ok(ep_mod(ep, inner, EPOLLIN | EPOLLET, 2));

    close(inner);
    close(ep);
    close(p[0]);
    close(p[1]);
    close(reg);
    return test_done();
}
