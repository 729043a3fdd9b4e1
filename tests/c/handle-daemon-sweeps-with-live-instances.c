/* handle-daemon-sweeps-with-live-instances: a daemon (or a spawner before
 * exec) closes every descriptor it did not open itself while epoll
 * instances exist, including the instances, with close(3..1024) or with
 * close_range(3, ~0U, 0). Afterwards new instances must work in every way:
 * registrations, ET edges, a blocking wait woken by a write from another
 * thread, nesting, poll(2) on the epoll fd. With rlimit 20000 or more the
 * library's internal descriptors (moved to 1000 and up) are inside the first
 * sweep. After each round, when everything is closed again, /proc/self/fd
 * has exactly the entries it had right after the sweep. */
#include "check.h"
#include <dirent.h>

static int g_w;

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

static void *writer(void *arg)
{
    (void)arg;
    sleep_ms(100);
    put(g_w, 1);
    return NULL;
}

static void use(const char *round)
{
    char line[128];
    int base = count_fds();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll(), outer = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(outer, ep, EPOLLIN, 2) == 0);
    put(p[1], 1);
    snprintf(line, sizeof line, "%s: new instance", round);
    expect_wait(line, ep, 8, 0, "IN data=1");
    put(p[1], 1);
    snprintf(line, sizeof line, "%s: second write is an edge", round);
    expect_wait(line, ep, 8, 0, "IN data=1");
    check(ep_add(ep, q[0], EPOLLIN, 3) == 0);
    g_w = q[1];
    pthread_t t;
    check(pthread_create(&t, NULL, writer, NULL) == 0);
    snprintf(line, sizeof line, "%s: blocking wait woken by another thread", round);
    expect_wait(line, ep, 8, 5000, "IN data=3");
    check(pthread_join(t, NULL) == 0);
    snprintf(line, sizeof line, "%s: outer", round);
    expect_wait(line, outer, 8, 0, "IN data=2");
    struct pollfd pf = { ep, POLLIN, 0 };
    expect_eq("poll on the epoll fd", poll(&pf, 1, 0), 1);
    close(outer);
    close(ep);
    close(p[0]); close(p[1]);
    close(q[0]); close(q[1]);
    int after = count_fds();
    say("%s: /proc/self/fd entries back to the start: %s", round, after == base ? "yes" : "no");
    if (after != base) { g_failed = 1; say("MISMATCH %d vs %d", base, after); }
}

static void make_some(int *keep)
{
    int p[2];
    make_pipe(p);
    int ep = make_epoll(), ep2 = epoll_create1(0);
    check(ep2 >= 0);
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 9) == 0);
    check(ep_add(ep2, ep, EPOLLIN, 10) == 0);
    put(p[1], 1);
    expect_wait("instance before the sweep", ep, 8, 0, "IN data=9");
    *keep = ep;
}

int main(void)
{
    alarm(30);
    int ep;
    make_some(&ep);
    /* the daemon loop */
    for (int fd = 3; fd <= 1024; fd++) close(fd);
    expect_err(epoll_wait(ep, (struct epoll_event[1]){{0}}, 1, 0), EBADF);
    use("after close(3..1024)");

    make_some(&ep);
    check(close_range(3, ~0U, 0) == 0);
    expect_err(epoll_wait(ep, (struct epoll_event[1]){{0}}, 1, 0), EBADF);
    use("after close_range(3, ~0U)");

    /* close_range with CLOSE_RANGE_CLOEXEC closes nothing */
    make_some(&ep);
    check(close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0);
    expect_wait("after close_range(CLOEXEC): still there, consumed", ep, 8, 0, "none");
    check(close_range(3, ~0U, 0) == 0);
    use("after the last sweep");
    return g_failed ? 1 : 0;
}
