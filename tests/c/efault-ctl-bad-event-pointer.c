/* efault-ctl-bad-event-pointer: epoll_ctl copies the event from user memory
 * for every op except DEL: ADD or MOD with event == (void *)1 fail EFAULT
 * (ERR-CTL-19), while DEL never reads it, so DEL with (void *)1 is ENOENT
 * for an unregistered fd and 0 for a registered one (ERR-CTL-20). An event on
 * a read-only page is fine: it is only read. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    struct epoll_event *bad = OPAQUE_PTR(struct epoll_event *, 1);

    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], bad), EFAULT);
    expect_err(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], bad), ENOENT);

    long pg = sysconf(_SC_PAGESIZE);
    struct epoll_event *ro = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(ro != MAP_FAILED);
    ro->events = EPOLLIN;
    ro->data.u64 = 77;
    check(mprotect(ro, (size_t)pg, PROT_READ) == 0);
    expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], ro));

    expect_err(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], bad), EFAULT);
    put(p[1], 1);
    expect_wait("registered from a read-only event, failed MOD left it alone", ep, 8, 0, "IN data=77");
    expect_ok(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], bad));
    expect_wait("after DEL", ep, 8, 0, "none");

    munmap(ro, (size_t)pg);
    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
