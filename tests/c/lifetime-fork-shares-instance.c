/* lifetime-fork-shares-instance: after fork the child's epoll fd is the same
 * open file, hence the same instance: the child receives the events of the
 * parent's items with the parent's data (LIFE-FORK-1), an item the child adds
 * exists for the parent (LIFE-FORK-3/4), an ET event consumed by the child is
 * gone for the parent (LIFE-FORK-2), and the child's exit changes nothing
 * (LIFE-FORK-7). Prefork servers create the instance before forking workers.
 * A user-space table copied by fork cannot do this without shared memory
 * (SEMANTICS 15). The child reports through its exit status. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = epoll_create1(0);
    check(ep >= 0);
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    put(p[1], 1);

    pid_t pid = fork();
    check(pid >= 0);
    if (pid == 0) {
        struct epoll_event ev;
        int n = epoll_wait(ep, &ev, 1, 0);
        int bad = 0;
        if (!(n == 1 && ev.events == EPOLLIN && ev.data.u64 == 1)) bad |= 1;
        if (ep_add(ep, q[0], EPOLLIN, 2) != 0) bad |= 2;
        _exit(bad);
    }
    int st;
    check(waitpid(pid, &st, 0) == pid);
    check(WIFEXITED(st));
    say("child got the parent's ET event: %s", (WEXITSTATUS(st) & 1) ? "no" : "yes");
    say("child's ADD succeeded: %s", (WEXITSTATUS(st) & 2) ? "no" : "yes");
    if (WEXITSTATUS(st)) g_failed = 1;

    expect_wait("parent: ET event consumed by the child", ep, 8, 0, "none");
    expect_err(ep_add(ep, q[0], EPOLLIN, 3), EEXIST);
    put(q[1], 1);
    expect_wait("parent: item added by the child", ep, 8, 0, "IN data=2");

    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
