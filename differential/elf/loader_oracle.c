/* The real loader as the oracle (STYLE 11): reads file paths, one a line, from standard input and, for each, forks a
 * child that dlopen()s it with RTLD_NOW, as CPython imports an extension module, then reads one byte of every page
 * the loader mapped from the file (what running the module's code and data would touch). Prints one line per file:
 *   <path>\tloads
 *   <path>\trefused\t<dlerror() text>
 *   <path>\tcrashed\t<signal name>            (SIGSEGV/SIGBUS in the loader or on a mapped page; SIGALRM: a hang)
 * `--global LIB` (repeatable) dlopen()s LIB with RTLD_GLOBAL in the parent first, so every child has its symbols, as
 * the python3 process has libpython's. Each child runs with a 2-second alarm and its output sent to /dev/null. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *wanted;
static volatile unsigned char sink;

/* Reads one byte of each page of each PT_LOAD of the object loaded from `wanted`. */
static int touch_pages(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (info->dlpi_name == NULL || strcmp(info->dlpi_name, wanted) != 0) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || ph->p_filesz == 0 || !(ph->p_flags & PF_R)) continue;
        const unsigned char *start = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        for (size_t at = 0; at < ph->p_filesz; at += 4096) sink = start[at];
        sink = start[ph->p_filesz - 1];
    }
    return 1;
}

static void judge(const char *path) {
    int pipefd[2];
    if (pipe(pipefd) != 0) { perror("pipe"); exit(3); }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) { perror("fork"); exit(3); }
    if (child == 0) {
        close(pipefd[0]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) { dup2(null, 1); dup2(null, 2); }
        alarm(2);
        void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
            const char *error = dlerror();
            if (error == NULL) error = "(no message)";
            ssize_t written = write(pipefd[1], error, strlen(error));
            (void)written;
            _exit(1);
        }
        wanted = path;
        dl_iterate_phdr(touch_pages, NULL);
        _exit(0);
    }
    close(pipefd[1]);
    char message[4096];
    size_t length = 0;
    ssize_t got;
    while ((got = read(pipefd[0], message + length, sizeof message - 1 - length)) > 0) length += (size_t)got;
    message[length] = 0;
    close(pipefd[0]);
    for (char *c = message; *c; c++) if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) printf("%s\tloads\n", path);
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) printf("%s\trefused\t%s\n", path, message);
    else if (WIFSIGNALED(status)) printf("%s\tcrashed\t%s\n", path, sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    else printf("%s\tcrashed\texit %d\n", path, WEXITSTATUS(status));
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--global") == 0 && i + 1 < argc) {
            if (dlopen(argv[++i], RTLD_NOW | RTLD_GLOBAL) == NULL) { fprintf(stderr, "loader_oracle: %s\n", dlerror()); return 2; }
        } else {
            fprintf(stderr, "usage: loader_oracle [--global LIB]... < paths\n");
            return 64;
        }
    }
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        if (*line) judge(line);
    }
    return 0;
}
