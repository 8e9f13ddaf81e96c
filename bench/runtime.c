/*
** runtime.c: the wall time and peak memory of one command, as a user runs it.
**
** Usage: runtime COMMAND [ARG...]
**
** Runs COMMAND as a fresh process with its output discarded, waits for it,
** and prints "SECONDS PEAK_KB": the wall time from fork to exit and the
** largest resident set the process reached (getrusage's ru_maxrss). Exits
** with the command's status, or 127 when it could not be started.
*/
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: runtime COMMAND [ARG...]\n");
    return 2;
  }
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t pid = fork();
  if (pid < 0) {
    perror("runtime: fork");
    return 127;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1);
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("runtime: wait4");
    return 127;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.6f %ld\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9,
         ru.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
