// mqttconn-broker: a minimal in-memory MQTT 3.1 / 3.1.1 / 5.0 broker over mqttconn.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "broker.hpp"
#include "server.hpp"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_signal(int) { stop_requested = 1; }

const char usage[] =
    "usage: mqttconn-broker [-p PORT] [-b ADDR] [-v|-q]\n"
    "\n"
    "A minimal in-memory MQTT broker for MQTT 3.1, 3.1.1 and 5.0 over plain TCP.\n"
    "\n"
    "  -p PORT  port to listen on (default 1883; 0 picks a free port)\n"
    "  -b ADDR  numeric address to bind (default 127.0.0.1)\n"
    "  -v       verbose: also log every PUBLISH and dropped message\n"
    "  -q       quiet: log errors only\n"
    "  -h       show this help\n"
    "\n"
    "The first line on standard output is \"listening on ADDR:PORT\". The log goes to\n"
    "standard error. SIGINT or SIGTERM closes every connection and exits.\n"
    "\n"
    "Supported: QoS 0, 1 and 2 both ways, retained messages, Wills, + and # wildcards,\n"
    "keep-alive (1.5 x), 5.0 properties forwarded, subscription options, topic aliases\n"
    "from clients, Subscription Identifiers, Receive Maximum, Maximum Packet Size.\n"
    "Not supported: persistent sessions (every session is clean; a 5.0 Session Expiry\n"
    "Interval is answered with 0), shared subscriptions ($share/...), authentication\n"
    "(anyone may connect), Will Delay Interval (the Will is sent at once), TLS.\n";

bool parse_port(const char* s, std::uint16_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v > 65535) return false;
  out = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mqttbroker::server_options so;
  mqttbroker::log_level level = mqttbroker::log_level::info;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "-p" || a == "-b") && i + 1 < argc) {
      const char* v = argv[++i];
      if (a == "-b") {
        so.address = v;
      } else if (!parse_port(v, so.port)) {
        std::fprintf(stderr, "mqttconn-broker: bad port: %s\n%s", v, usage);
        return 2;
      }
    } else if (a == "-v") {
      level = mqttbroker::log_level::debug;
    } else if (a == "-q") {
      level = mqttbroker::log_level::error;
    } else if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "mqttconn-broker: unknown or incomplete option: %s\n%s", a.c_str(), usage);
      return 2;
    }
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: poll() returns EINTR and the loop sees the flag
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an EPIPE, not a crash

  const mqttbroker::logger log(stderr, level);
  mqttbroker::broker b({}, log);
  mqttbroker::server srv(so, b, log);
  std::string error;
  if (!srv.listen(error)) {
    std::fprintf(stderr, "mqttconn-broker: %s\n", error.c_str());
    return 1;
  }
  std::printf("listening on %s\n", srv.endpoint().c_str());
  std::fflush(stdout);
  BROKER_LOG(log, info, "listening on %s (MQTT 3.1, 3.1.1, 5.0)", srv.endpoint().c_str());
  srv.run(stop_requested);
  const mqttbroker::broker_stats& st = b.stats();
  BROKER_LOG(log, info, "stopped: %llu connection(s) served, %llu PUBLISH received, %llu sent, %llu dropped",
             static_cast<unsigned long long>(st.connections), static_cast<unsigned long long>(st.received),
             static_cast<unsigned long long>(st.sent), static_cast<unsigned long long>(st.dropped));
  return 0;
}
