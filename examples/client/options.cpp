// Command-line parsing, with mosquitto_pub/mosquitto_sub's flag names and error wording.
#include "options.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace client {
namespace {

bool to_number(const char* s, long lo, long hi, long& out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return false;
  out = v;
  return true;
}

bool parse_version(std::string_view s, mqttconn::protocol_version& v) {
  if (s == "mqttv31" || s == "31") return v = mqttconn::protocol_version::v3_1, true;
  if (s == "mqttv311" || s == "311") return v = mqttconn::protocol_version::v3_1_1, true;
  if (s == "mqttv5" || s == "5") return v = mqttconn::protocol_version::v5, true;
  return false;
}

bool parse_qos(const char* s, mqttconn::qos& q) {
  long v = 0;
  if (!to_number(s, 0, 2, v)) return false;
  q = static_cast<mqttconn::qos>(v);
  return true;
}

}  // namespace

mqttconn::properties property_set::get() const {
  mqttconn::properties p = props;
  if (!user_properties.empty()) p.set_user_properties(std::span<const mqttconn::user_property>(user_properties));
  if (!subscription_identifiers.empty()) {
    p.set_subscription_identifiers(std::span<const std::uint32_t>(subscription_identifiers));
  }
  return p;
}

void usage(mode m, std::FILE* to) {
  const bool pub = m == mode::pub;
  std::fprintf(to, "mqttconn-client %s: %s\n", pub ? "pub" : "sub",
               pub ? "publish one message, a file, stdin or stdin line by line"
                   : "subscribe and print the messages received, one per line");
  std::fprintf(to,
               "Usage: mqttconn-client %s [-h host] [-p port] [-V mqttv31|mqttv311|mqttv5]\n"
               "                      [-i id] [-I id-prefix] [-k keepalive] [-c] [-x session-expiry] [-d] [--quiet]\n"
               "                      [-u username [-P password]]\n"
               "                      [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]\n"
               "                      [-D command identifier value [value]]...\n",
               pub ? "pub" : "sub");
  if (pub) {
    std::fputs("                      -t topic [-q qos] [-r] {-m message | -f file | -s | -l | -n}\n"
               "                      [--max-inflight n]\n", to);
  } else {
    std::fputs("                      -t topic... [-q qos] [-U topic]... [-T filter]... [-C count]\n"
               "                      [-W timeout] [-v] [-N] [-R] [-E] [--retained-only] [-F format]\n", to);
  }
  std::fputs(" -h : the broker host (default localhost)     -p : its port (default 1883)\n"
             " -V : protocol version (default mqttv311)     -i : client id (default mqttconn-<pid>)\n"
             " -k : keep alive in seconds (default 60)      -c : clean session off\n"
             " -d : print every packet sent and received    -D : an MQTT 5 property (implies -V 5)\n"
             "      e.g. -D publish user-property key value, -D connect session-expiry-interval 60\n",
             to);
}

std::optional<options> parse(mode m, int argc, char** argv, bool& help) {
  options o;
  o.mode = m;
  help = false;
  bool version_given = false;
  bool session_expiry_given = false;
  auto fail = [&](const char* fmt, const char* arg) -> std::optional<options> {
    std::fprintf(stderr, fmt, arg);
    std::fputc('\n', stderr);
    usage(m, stderr);
    return std::nullopt;
  };
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    const char* v = has_value ? argv[i + 1] : nullptr;
    auto need = [&]() { return has_value; };
    long n = 0;
    if (a == "--help") {
      help = true;
      usage(m, stdout);
      return std::nullopt;
    } else if (a == "-d" || a == "--debug") {
      o.debug = true;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "-c" || a == "--disable-clean-session") {
      o.clean_session = false;
    } else if (a == "-r" || a == "--retain") {
      if (m == mode::sub) return fail("Error: Unknown option '%s'.", argv[i]);
      o.retain = true;
    } else if (a == "-s" || a == "--stdin-file") {
      if (m == mode::sub) return fail("Error: Unknown option '%s'.", argv[i]);
      o.msg_source = options::source::stdin_whole;
    } else if (a == "-l" || a == "--stdin-line") {
      if (m == mode::sub) return fail("Error: Unknown option '%s'.", argv[i]);
      o.msg_source = options::source::stdin_lines;
    } else if (a == "-n" || a == "--null-message") {
      if (m == mode::sub) return fail("Error: Unknown option '%s'.", argv[i]);
      o.msg_source = options::source::null_message;
    } else if (a == "-v" || a == "--verbose") {
      o.verbose = true;
    } else if (a == "-N") {
      o.no_newline = true;
    } else if (a == "-R") {
      o.no_stale = true;
    } else if (a == "-E") {
      o.exit_after_subscribe = true;
    } else if (a == "--retained-only") {
      o.retained_only = true;
    } else if (a == "--will-retain") {
      o.will_retain = true;
    } else if (a == "-D" || a == "--property") {
      if (!parse_property(o, argc, argv, i)) {
        usage(m, stderr);
        return std::nullopt;
      }
      continue;
    } else {
      // Every remaining option takes a value.
      if (!need()) return fail("Error: %s argument given but no value specified.", argv[i]);
      ++i;
      if (a == "-h" || a == "--host") {
        o.host = v;
      } else if (a == "-p" || a == "--port") {
        if (!to_number(v, 1, 65535, n)) return fail("Error: Invalid port given: %s", v);
        o.port = v;
      } else if (a == "-V" || a == "--protocol-version") {
        if (!parse_version(v, o.version)) return fail("Error: Invalid protocol version argument given.%s", "");
        version_given = true;
      } else if (a == "-i" || a == "--id") {
        o.client_id = v;
      } else if (a == "-I" || a == "--id-prefix") {
        o.id_prefix = v;
      } else if (a == "-k" || a == "--keepalive") {
        if (!to_number(v, 0, 65535, n)) return fail("Error: Invalid keepalive given: %s", v);
        o.keep_alive = static_cast<std::uint16_t>(n);
      } else if (a == "-u" || a == "--username") {
        o.username = v;
      } else if (a == "-P" || a == "--pw") {
        o.password = v;
      } else if (a == "-t" || a == "--topic") {
        if (m == mode::pub && !o.topics.empty()) return fail("Error: Only one topic may be given for publishing.%s", "");
        o.topics.emplace_back(v);
      } else if (a == "-q" || a == "--qos") {
        if (!parse_qos(v, o.qos)) return fail("Error: Invalid QoS given: %s", v);
      } else if (a == "-m" || a == "--message") {
        if (m == mode::sub) return fail("Error: Unknown option '%s'.", argv[i - 1]);
        o.msg_source = options::source::message, o.message = v;
      } else if (a == "-f" || a == "--file") {
        if (m == mode::sub) return fail("Error: Unknown option '%s'.", argv[i - 1]);
        o.msg_source = options::source::file, o.message = v;
      } else if (a == "--max-inflight") {
        if (!to_number(v, 1, 65535, n)) return fail("Error: Invalid max inflight given: %s", v);
        o.max_inflight = static_cast<unsigned>(n);
      } else if (a == "--will-topic") {
        o.will_topic = v;
      } else if (a == "--will-payload") {
        o.will_payload = v;
      } else if (a == "--will-qos") {
        if (!parse_qos(v, o.will_qos)) return fail("Error: Invalid will QoS %s.", v);
      } else if (a == "-C" && m == mode::sub) {
        if (!to_number(v, 1, 1L << 30, n)) return fail("Error: Invalid message count \"%s\".", v);
        o.count = n;
      } else if (a == "-W" && m == mode::sub) {
        if (!to_number(v, 1, 3600L * 24 * 365, n)) return fail("Error: Invalid timeout \"%s\".", v);
        o.timeout = n;
      } else if ((a == "-U" || a == "--unsubscribe") && m == mode::sub) {
        o.unsubscribe_topics.emplace_back(v);
      } else if ((a == "-T" || a == "--filter-out") && m == mode::sub) {
        o.filter_out.emplace_back(v);
      } else if (a == "-F" && m == mode::sub) {
        o.format = v;
      } else if (a == "-x" || a == "--session-expiry-interval") {
        // mosquitto: seconds, or -1 / 4294967295 / ∞ for a session that never expires.
        unsigned long long e = 0;
        const std::string_view sv = v;
        if (sv == "-1" || sv == "\u221e") {
          e = 0xFFFFFFFFull;
        } else {
          char* end = nullptr;
          errno = 0;
          e = std::strtoull(v, &end, 10);
          if (errno != 0 || end == v || *end != '\0' || *v == '-' || e > 0xFFFFFFFFull) {
            return fail("Error: Invalid session-expiry-interval \"%s\".", v);
          }
        }
        o.connect_props.props.set_session_expiry_interval(static_cast<std::uint32_t>(e));
        session_expiry_given = true;
      } else if (a == "--bind-address" || a == "-A") {
        o.bind_address = v;
      } else {
        return fail("Error: Unknown option '%s'.", argv[i - 1]);
      }
    }
  }

  if (o.any_property) {
    if (version_given && o.version != mqttconn::protocol_version::v5) {
      return fail("Error: -D/--property option given but protocol version is not 5.%s", "");
    }
    o.version = mqttconn::protocol_version::v5;
  }
  if (session_expiry_given && o.version != mqttconn::protocol_version::v5) {
    return fail("Error: -x is only available with MQTT v5.%s", "");
  }
  if (o.topics.empty() && (m == mode::pub || o.unsubscribe_topics.empty())) {
    return fail("Error: %s", m == mode::pub ? "No topic given." : "You must specify a topic to subscribe to.");
  }
  if (m == mode::pub && o.msg_source == options::source::none) {
    return fail("Error: Both topic and message must be supplied.%s", "");
  }
  if (o.password && !o.username && o.version != mqttconn::protocol_version::v5) {
    return fail("Error: A password requires a username before MQTT 5.%s", "");
  }
  if (!o.client_id.empty() && !o.id_prefix.empty()) {
    return fail("Error: -i and -I argument cannot be used together.%s", "");
  }
  if (!o.will_topic && (!o.will_payload.empty() || o.will_retain || o.will_qos != mqttconn::qos::at_most_once)) {
    return fail("Error: Will payload, QoS or retain given, but no will topic given.%s", "");
  }
  // mosquitto: -c at level 5 without a session expiry means a session that never expires.
  if (!o.clean_session && o.version == mqttconn::protocol_version::v5 &&
      !o.connect_props.props.session_expiry_interval()) {
    o.connect_props.props.set_session_expiry_interval(0xFFFFFFFFu);
  }
  if (!o.clean_session && o.client_id.empty()) {
    return fail("Error: You must provide a client id if you are using the -c option.%s", "");
  }
  if (o.client_id.empty()) {
    o.client_id = (o.id_prefix.empty() ? std::string("mqttconn") : o.id_prefix) + "-" +
                  std::to_string(static_cast<long>(getpid()));
  }
  if (o.version == mqttconn::protocol_version::v3_1 && (o.client_id.empty() || o.client_id.size() > 23)) {
    return fail("Error: MQTT 3.1 client ids are 1 to 23 characters.%s", "");
  }
  return o;
}

}  // namespace client
