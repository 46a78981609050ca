// The broker's log: one line per event, on stderr, with a UTC timestamp and a level.
#pragma once

#include <cstdio>

namespace mqttbroker {

enum class log_level : unsigned char { error = 0, info = 1, debug = 2 };

class logger {
 public:
  // `out` nullptr: silent (the unit tests).
  explicit logger(std::FILE* out = stderr, log_level level = log_level::info) noexcept
      : out_(out), level_(level) {}

  bool enabled(log_level l) const noexcept { return out_ != nullptr && l <= level_; }
  void set_level(log_level l) noexcept { level_ = l; }

  // printf-style; a newline is added.
  void log(log_level l, const char* fmt, ...) const noexcept __attribute__((format(printf, 3, 4)));

 private:
  std::FILE* out_;
  log_level level_;
};

}  // namespace mqttbroker

// Cheap when the level is off: the arguments are not evaluated.
#define BROKER_LOG(lg, lvl, ...)                                                      \
  do {                                                                                \
    if ((lg).enabled(::mqttbroker::log_level::lvl)) (lg).log(::mqttbroker::log_level::lvl, __VA_ARGS__); \
  } while (0)
