/* errors-wait: epoll_wait rejects maxevents <= 0 and maxevents >
 * INT_MAX / sizeof(struct epoll_event) (= INT_MAX/12 on x86-64) with EINVAL,
 * a bad epfd with EBADF and a non-epoll epfd (pipe, regular file) with EINVAL
 * (ERR-WAIT-1..7). The buffer size is not checked against maxevents: INT_MAX/12
 * with a 4-entry buffer and nothing ready returns 0 (ERR-WAIT-8), so an
 * emulation must not size anything by maxevents. A pipe with a NULL buffer is
 * EINVAL (ERR-PREC-WAIT-3); -1 with NULL is EBADF (ERR-PREC-WAIT-4).
 * struct epoll_event is packed, 12 bytes (ERR-WAIT-9).
 * The buffer is static, not on the stack: the kernel range-checks
 * buffer + maxevents * 12 against the top of user space, and a stack near
 * the top (ASLR) would make the INT_MAX/12 call fail EFAULT. */
#include "check.h"

int main(void)
{
    test_start();
    char path[] = "/tmp/repoll-errors-wait-XXXXXX";
    int reg = mkstemp(path);
    check(reg >= 0);
    unlink(path);
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    static struct epoll_event ev[4];
    int big = INT_MAX / (int)sizeof(struct epoll_event);

    say("sizeof(struct epoll_event): %zu", sizeof(struct epoll_event));
    expect_err(epoll_wait(ep, ev, 0, 0), EINVAL);
    expect_err(epoll_wait(ep, ev, opaque(-1), 0), EINVAL);
    expect_err(epoll_wait(ep, ev, opaque(INT_MIN), 0), EINVAL);
    expect_err(epoll_wait(ep, ev, opaque(big + 1), 0), EINVAL);
    expect_err(epoll_wait(-1, ev, 4, 0), EBADF);
    expect_err(epoll_wait(p[0], ev, 4, 0), EINVAL);
    expect_err(epoll_wait(reg, ev, 4, 0), EINVAL);
    expect_err(epoll_wait(p[0], NULL_EVENTS, 4, 0), EINVAL);
    expect_err(epoll_wait(-1, NULL_EVENTS, 4, 0), EBADF);
    expect_eq("epoll_wait(ep, ev, INT_MAX/12, 0), nothing ready", epoll_wait(ep, ev, opaque(big), 0), 0);
    put(p[1], 1);
    expect_eq("epoll_wait(ep, ev, INT_MAX/12, 0), one ready", epoll_wait(ep, ev, opaque(big), 0), 1);
    say("event: %s data=%" PRIu64, evname(ev[0].events), (uint64_t)ev[0].data.u64);
    expect_err(epoll_wait(ep, ev, 0, 0), EINVAL);     /* still EINVAL with an item ready */

    close(ep);
    close(p[0]);
    close(p[1]);
    close(reg);
    return test_done();
}
