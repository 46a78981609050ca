#include "log.hpp"

#include <cstdarg>
#include <ctime>
#include <sys/time.h>

namespace mqttbroker {

void logger::log(log_level l, const char* fmt, ...) const noexcept {
  if (!enabled(l)) return;
  timeval tv{};
  gettimeofday(&tv, nullptr);
  std::tm tm{};
  gmtime_r(&tv.tv_sec, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  static const char* const names[] = {"error", "info ", "debug"};
  // One fprintf per part, one flush per line: lines from one thread never interleave.
  std::fprintf(out_, "%s.%03dZ %s ", stamp, static_cast<int>(tv.tv_usec / 1000), names[static_cast<int>(l)]);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(out_, fmt, ap);
  va_end(ap);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace mqttbroker
