/* handle-close-all-other-fds: daemons and spawned children commonly close
 * every descriptor they do not know about (a loop over 3..1023, or
 * close_range(3, ~0U, 0)) and then use epoll. The kernel's epoll keeps no
 * hidden descriptors, so this changes nothing for instances whose fds were
 * kept. A library whose internal descriptors are closed behind its back must
 * recover (STYLE 3: "recover if the application closed one of them"). Here an
 * instance and a pipe survive a sweep that closes every other fd up to the
 * soft RLIMIT_NOFILE and keep working; after a close_range(3, ~0U) sweep a new
 * instance works. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    put(p[1], 1);
    expect_wait("before the sweep", ep, 8, 0, "IN data=1");

    struct rlimit rl;
    check(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    int top = rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;
    for (int fd = 3; fd < top; fd++)
        if (fd != ep && fd != p[0] && fd != p[1]) close(fd);

    expect_wait("after the sweep", ep, 8, 0, "IN data=1");
    check(drain(p[0]) == 1);
    expect_wait("drained", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("written again", ep, 8, 0, "IN data=1");
    close(ep);
    close(p[0]);
    close(p[1]);

    /* a second sweep in one call, as spawners do before exec */
    check(close_range(3, ~0U, 0) == 0);

    /* the sweeps also closed anything inherited: mark again from here */
    leak_begin();
    make_pipe(p);
    int ep2 = make_epoll();
    check(ep_add(ep2, p[0], EPOLLIN | EPOLLET, 2) == 0);
    put(p[1], 1);
    expect_wait("new instance after the sweep", ep2, 8, 0, "IN data=2");
    put(p[1], 1);
    expect_wait("new instance, second write", ep2, 8, 0, "IN data=2");
    close(ep2);
    close(p[0]);
    close(p[1]);
    return test_done();
}
