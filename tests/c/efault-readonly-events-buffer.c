/* efault-readonly-events-buffer: an events buffer on a read-only page makes
 * epoll_wait fail EFAULT when an event is ready, and the event stays queued
 * for the next call (ERR-FAULT-4/5). When the first slot is writable and the
 * second is on a read-only page, two ready ET items give 1 (the count copied
 * so far) and the uncopied item is delivered by the next call
 * (ERR-FAULT-10/11). A library that writes through the user's pointer
 * without checking would die of SIGSEGV here. */
#include "check.h"

int main(void)
{
    test_start();
    long pg = sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(mem != MAP_FAILED);
    check(mprotect(mem + pg, (size_t)pg, PROT_READ) == 0);
    struct epoll_event *ro = (struct epoll_event *)(mem + pg);
    struct epoll_event *straddle = (struct epoll_event *)(mem + pg - sizeof(struct epoll_event));

    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, q[0], EPOLLIN | EPOLLET, 2) == 0);

    expect_ok(epoll_wait(ep, ro, 4, 0));
    put(p[1], 1);
    expect_err(epoll_wait(ep, ro, 4, 0), EFAULT);
    expect_wait("ET event after EFAULT", ep, 8, 0, "IN data=1");

    put(p[1], 1);
    put(q[1], 1);
    int n = epoll_wait(ep, straddle, 4, 0);
    say("second slot read-only, two ready: %s", n >= 0 ? (n == 1 ? "1" : "not 1") : rcname(n, errno));
    check(n == 1);
    say("copied: %s data=%" PRIu64, evname(straddle[0].events), (uint64_t)straddle[0].data.u64);
    check(straddle[0].events == EPOLLIN && straddle[0].data.u64 == 1);
    expect_wait("the uncopied ET event", ep, 8, 0, "IN data=2");
    expect_wait("nothing new", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    munmap(mem, (size_t)pg * 2);
    return test_done();
}
