// deny-io-uring [--register-only] COMMAND [ARG...]: runs COMMAND under a seccomp filter that
// refuses io_uring_setup with EPERM, as the default seccomp profiles of Docker and containerd do.
// With --register-only it refuses io_uring_register instead: rings can be created, but the kernel
// cannot be asked which operations it supports, as on kernels older than 5.6. The tests use it to
// run switchyard where io_uring is refused, without changing the machine's settings.
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int first = 1;
  unsigned refused = __NR_io_uring_setup;
  if (argc > 1 && std::strcmp(argv[1], "--register-only") == 0) {
    refused = __NR_io_uring_register;
    first = 2;
  }
  if (argc <= first) {
    std::fprintf(stderr, "usage: deny-io-uring [--register-only] COMMAND [ARG...]\n");
    return 2;
  }
  sock_filter program[] = {
#if defined(__x86_64__)
    // Another architecture's system call numbers mean something else: let those through.
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, refused, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog filter{static_cast<unsigned short>(sizeof(program) / sizeof(program[0])), program};
  // Without privileges, a process may install a filter only once it can gain none through exec.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) {
    std::fprintf(stderr, "deny-io-uring: cannot install the seccomp filter: %s\n", std::strerror(errno));
    return 2;
  }
  ::execvp(argv[first], argv + first);
  std::fprintf(stderr, "deny-io-uring: cannot run %s: %s\n", argv[first], std::strerror(errno));
  return 127;
}
