// LD_PRELOAD library for the ExecuteTrades crash test: SIGKILLs the process as soon as
// the order journal durably holds the SUBMIT record of one order, that is after the
// engine journalled it and before it sends it to the venue. The crash comes from
// outside the engine, so the packaged engine needs no test hook.
//
//   KILL_AFTER_SUBMIT_JOURNAL  the journal's absolute path (symlinks resolved)
//   KILL_AFTER_SUBMIT_ORDER    the client order id
//
// It wraps fsync(2), which the journal calls once per commit, after writing the records.
#include <dlfcn.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

/// The last record (line) of the file open as `fd`.
std::string last_record(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_size == 0) return {};
  const off_t size = info.st_size;
  const off_t start = size > 4096 ? size - 4096 : 0;  // a record is ~150 bytes
  std::string tail(static_cast<std::size_t>(size - start), '\0');
  if (::pread(fd, tail.data(), tail.size(), start) != static_cast<ssize_t>(tail.size())) return {};
  if (tail.back() == '\n') tail.pop_back();
  const std::size_t newline = tail.rfind('\n');
  return newline == std::string::npos ? tail : tail.substr(newline + 1);
}

bool is_file(int fd, const char* path) {
  char link[64];
  char target[PATH_MAX];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t length = ::readlink(link, target, sizeof target - 1);
  if (length <= 0) return false;
  target[length] = '\0';
  return std::string(target) == path;
}

}  // namespace

extern "C" int fsync(int fd) {
  using Fsync = int (*)(int);
  static const auto real_fsync = reinterpret_cast<Fsync>(::dlsym(RTLD_NEXT, "fsync"));
  const int result = real_fsync(fd);
  const char* journal = std::getenv("KILL_AFTER_SUBMIT_JOURNAL");
  const char* order = std::getenv("KILL_AFTER_SUBMIT_ORDER");
  if (result == 0 && journal != nullptr && order != nullptr && is_file(fd, journal) &&
      last_record(fd).find(std::string("\tSUBMIT\t") + order + "\t") != std::string::npos) {
    ::raise(SIGKILL);
  }
  return result;
}
