/* lifetime-posix-spawn-keeps-instance: a program started with posix_spawn or
 * posix_spawnp inherits an epoll instance created without EPOLL_CLOEXEC,
 * with its interest list, as after fork and execve (LIFE-EXEC-2..5). glibc
 * spawns on a private stack with clone(CLONE_VM|CLONE_VFORK) and an internal
 * execve that no preload sees, so repoll hooks posix_spawn itself. The
 * caller's environment must not change, and a file action that closes a
 * registered descriptor in the child must not affect the parent's
 * registration. An EPOLL_CLOEXEC instance is closed in the new image. */
#include "check.h"
#include <spawn.h>

extern char **environ;

static int exec_image(int ep, int ep_cloexec, int rd)
{
    alarm(20);
    expect_wait("new image: inherited instance", ep, 8, 0, "IN data=7");
    int fl = fcntl(ep_cloexec, F_GETFD);
    say("new image: EPOLL_CLOEXEC instance closed: %s", fl < 0 && errno == EBADF ? "yes" : "no");
    say("new image: REPOLL_INHERIT visible: %s", getenv("REPOLL_INHERIT") ? "yes" : "no");
    say("new image: LIFETIME_SPAWN=%s", getenv("LIFETIME_SPAWN") ? getenv("LIFETIME_SPAWN") : "(unset)");
    expect_err(ep_add(ep, rd, EPOLLIN, 8), EEXIST);
    return g_failed ? 1 : 0;
}

static int env_count(void)
{
    int n = 0;
    for (char **e = environ; *e; e++) n++;
    return n;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "exec-image") == 0)
        return exec_image(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));

    test_start();
    int p[2], q[2];
    check(pipe(p) == 0);
    check(pipe(q) == 0);
    int ep = epoll_create1(0);
    check(ep >= 0);
    int ep_cloexec = epoll_create1(EPOLL_CLOEXEC);
    check(ep_cloexec >= 0);
    check(ep_add(ep, p[0], EPOLLIN, 7) == 0);
    check(ep_add(ep, q[0], EPOLLIN, 9) == 0);
    check(ep_add(ep_cloexec, p[0], EPOLLIN, 1) == 0);
    put(p[1], 1);

    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    check(len > 0);
    self[len] = 0;
    char a1[16], a2[16], a3[16];
    snprintf(a1, sizeof a1, "%d", ep);
    snprintf(a2, sizeof a2, "%d", ep_cloexec);
    snprintf(a3, sizeof a3, "%d", p[0]);
    char *args[] = { "self", "exec-image", a1, a2, a3, NULL };

    char **environ_before = environ;
    int count_before = env_count();

    posix_spawn_file_actions_t fa;
    check(posix_spawn_file_actions_init(&fa) == 0);
    check(posix_spawn_file_actions_addclose(&fa, q[0]) == 0);

    for (int k = 0; k < 3; k++) {
        pid_t pid;
        int r;
        char pre[4096] = "LD_PRELOAD=";
        const char *lp = getenv("LD_PRELOAD");
        char *env[] = { "LIFETIME_SPAWN=own", lp ? strncat(pre, lp, sizeof pre - 12) : NULL, NULL };
        if (k == 0)
            r = posix_spawn(&pid, self, &fa, NULL, args, environ);
        else if (k == 1)
            r = posix_spawnp(&pid, self, NULL, NULL, args, environ);
        else
            r = posix_spawn(&pid, self, NULL, NULL, args, env);
        check(r == 0);
        int st;
        check(waitpid(pid, &st, 0) == pid);
        /* Only now: the child may print before posix_spawn returns. */
        say("posix_spawn%s: %s", k == 1 ? "p" : k == 2 ? " (own envp)" : "", errname(r));
        say("new image exit status: %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) g_failed = 1;
    }
    posix_spawn_file_actions_destroy(&fa);

    say("parent: environ unchanged: %s",
        environ == environ_before && env_count() == count_before && !getenv("REPOLL_INHERIT") ? "yes" : "no");
    expect_wait("parent: instance intact", ep, 8, 0, "IN data=7");
    put(q[1], 1);
    take(p[0], 1);
    expect_wait("parent: item closed in the child's file actions", ep, 8, 0, "IN data=9");

    close(ep);
    close(ep_cloexec);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
