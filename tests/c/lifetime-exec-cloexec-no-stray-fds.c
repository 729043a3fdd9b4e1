/* lifetime-exec-cloexec-no-stray-fds: after exec the new image holds exactly
 * the descriptors that were not close-on-exec: an epoll fd created without
 * EPOLL_CLOEXEC and the files it watches, nothing of an EPOLL_CLOEXEC
 * instance (LIFE-EXEC-1), and none of the eventfds, wake-up descriptors or
 * logs repoll keeps for itself. Daemons that re-exec themselves, and
 * sandboxes, check their descriptor table after exec. The new image lists
 * /proc/self/fd and names every descriptor the parent did not pass
 * (descriptors the test itself inherited and passes on are left out). */
#include "check.h"
#include <dirent.h>
#include <spawn.h>

extern char **environ;

/* argv: self exec-image HOW N fd1..fdN [inherited fds...] */
static int exec_image(int argc, char **argv)
{
    alarm(20);
    int passed = atoi(argv[3]);
    DIR *d = opendir("/proc/self/fd");
    check(d != NULL);
    int unexpected = 0, expected = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        int fd = atoi(e->d_name);
        if (fd == dirfd(d) || fd <= 2) continue;
        int known = 0;
        for (int i = 4; i < argc; i++)
            if (atoi(argv[i]) == fd) known = i < 4 + passed ? 1 : 2;
        if (known == 1) expected++;
        if (known) continue;
        char path[64], target[256] = "";
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n > 0) target[n] = 0;
        say("new image (%s): unexpected fd %d -> %s", argv[2], fd, target);
        unexpected++;
    }
    closedir(d);
    say("new image (%s): passed descriptors present: %d of %d, unexpected: %d", argv[2], expected,
        passed, unexpected);
    if (unexpected || expected != passed) g_failed = 1;
    return g_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "exec-image") == 0)
        return exec_image(argc, argv);

    test_start();
    /* What this test inherited and does not close on exec. */
    char inherited[64][16];
    int n_inherited = 0;
    for (int fd = 3; fd < 1024 && n_inherited < 64; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC)) snprintf(inherited[n_inherited++], 16, "%d", fd);
    }
    int p[2], c[2];
    check(pipe(p) == 0);                    /* inherited */
    check(pipe2(c, O_CLOEXEC) == 0);        /* closed at exec */
    int ev = eventfd(0, EFD_CLOEXEC);
    check(ev >= 0);
    int ep_keep = epoll_create1(0);
    check(ep_keep >= 0);
    int ep_cloexec = epoll_create1(EPOLL_CLOEXEC);
    check(ep_cloexec >= 0);
    check(ep_add(ep_keep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep_keep, c[0], EPOLLIN, 2) == 0);
    check(ep_add(ep_cloexec, p[0], EPOLLIN, 3) == 0);
    check(ep_add(ep_cloexec, ev, EPOLLIN, 4) == 0);
    /* Let the instances build whatever they keep internally. */
    put(p[1], 1);
    check(eventfd_write(ev, 1) == 0);
    expect_wait("parent: keep", ep_keep, 8, 0, "IN data=1");
    expect_wait("parent: cloexec", ep_cloexec, 8, 10, "IN data=3, IN data=4");

    char a[3][16];
    snprintf(a[0], sizeof a[0], "%d", ep_keep);
    snprintf(a[1], sizeof a[1], "%d", p[0]);
    snprintf(a[2], sizeof a[2], "%d", p[1]);

    for (int k = 0; k < 2; k++) {
        const char *how = k == 0 ? "execv" : "posix_spawn";
        char *args[8 + 64] = { "self", "exec-image", (char *)how, "3", a[0], a[1], a[2] };
        for (int i = 0; i < n_inherited; i++) args[7 + i] = inherited[i];
        args[7 + n_inherited] = NULL;
        pid_t pid;
        if (k == 0) {
            pid = fork();
            check(pid >= 0);
            if (pid == 0) {
                execv("/proc/self/exe", args);
                _exit(127);
            }
        } else {
            check(posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) == 0);
        }
        int st;
        check(waitpid(pid, &st, 0) == pid);
        say("%s: new image exit status %d", how, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) g_failed = 1;
    }

    close(ep_keep);
    close(ep_cloexec);
    close(ev);
    close(p[0]);
    close(p[1]);
    close(c[0]);
    close(c[1]);
    return test_done();
}
