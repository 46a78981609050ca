// mqttconn-client: an MQTT 3.1/3.1.1/5.0 command-line client on mqttconn::connection whose
// flags are mosquitto_pub's and mosquitto_sub's.
//
//   mqttconn-client pub -h localhost -p 1883 -t greeting -m hello -q 1
//   mqttconn-client sub -h localhost -p 1883 -t greeting -v -C 1
//
// Unlike mosquitto_sub, a lost connection ends the program (exit 7) rather than reconnecting.
//
// Called through a link named mqttconn-pub or mqttconn-sub (or anything ending in "pub" or
// "sub"), it runs that subcommand without naming it.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "modes.hpp"

namespace {

int usage(std::FILE* to) {
  std::fputs("Usage: mqttconn-client pub [options]   (mosquitto_pub's options)\n"
             "       mqttconn-client sub [options]   (mosquitto_sub's options)\n"
             "       mqttconn-client {pub|sub} --help\n", to);
  return to == stdout ? 0 : 1;
}

bool ends_with(std::string_view s, std::string_view end) {
  return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::string_view self = argc > 0 ? argv[0] : "";
  if (const auto slash = self.rfind('/'); slash != std::string_view::npos) self.remove_prefix(slash + 1);
  client::mode m{};
  int first = 1;
  if (ends_with(self, "pub")) {
    m = client::mode::pub;
  } else if (ends_with(self, "sub")) {
    m = client::mode::sub;
  } else if (argc > 1 && std::strcmp(argv[1], "pub") == 0) {
    m = client::mode::pub, first = 2;
  } else if (argc > 1 && std::strcmp(argv[1], "sub") == 0) {
    m = client::mode::sub, first = 2;
  } else if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0)) {
    return usage(stdout);
  } else {
    return usage(stderr);
  }
  bool help = false;
  const auto opts = client::parse(m, argc - first, argv + first, help);
  if (!opts) return help ? 0 : 1;
  return m == client::mode::pub ? client::run_pub(*opts) : client::run_sub(*opts);
}
