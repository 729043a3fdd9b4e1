/* lifetime-fork-1000-with-instances: 1000 forks in a row while instances
 * (one nested in the other, LT and ET items) exist. Each child uses its copy
 * briefly: a wait that reports the ready LT item, an ADD and a DEL of its
 * own, poll on the epoll fd, then _exit. The parent's instances keep working
 * after every child, its descriptor count does not grow, and fork stays
 * usable (no lock left held by the fork handlers, no descriptor leaked per
 * fork). Only operations whose result is the same with a shared and a copied
 * instance are used (README: fork limits). */
#include "check.h"
#include <dirent.h>

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    check(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;
}

int main(void)
{
    alarm(120);
    leak_begin();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll(), outer = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    check(ep_add(outer, ep, EPOLLIN, 2) == 0);
    put(p[1], 1);
    int base = count_fds();
    int bad_child = 0, bad_parent = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t pid = fork();
        check(pid >= 0);
        if (pid == 0) {
            struct epoll_event ev[4];
            int ok = epoll_wait(ep, ev, 4, 0) == 1 && ev[0].data.u64 == 1;
            ok = ok && ep_add(ep, q[0], EPOLLIN, 3) == 0 && ep_del(ep, q[0]) == 0;
            struct pollfd pf = { outer, POLLIN, 0 };
            ok = ok && poll(&pf, 1, 0) == 1;
            _exit(ok ? 0 : 1);
        }
        int st;
        check(waitpid(pid, &st, 0) == pid);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad_child++;
        if (i % 100 == 99) {
            struct epoll_event ev[4];
            if (epoll_wait(outer, ev, 4, 0) != 1 || epoll_wait(ep, ev, 4, 0) != 1) bad_parent++;
            if (count_fds() != base) bad_parent++;
        }
    }
    say("1000 children: %d failed", bad_child);
    say("parent checks every 100 forks: %d failed", bad_parent);
    if (bad_child || bad_parent) g_failed = 1;
    expect_ok(ep_add(ep, q[0], EPOLLIN | EPOLLET, 4));
    put(q[1], 1);
    expect_wait("parent after the forks", ep, 8, 0, "IN data=1, IN data=4");
    close(outer);
    close(ep);
    close(p[0]); close(p[1]);
    close(q[0]); close(q[1]);
    return test_done();
}
