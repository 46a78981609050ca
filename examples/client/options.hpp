// The command line of mqttconn-client: the flags of mosquitto_pub and mosquitto_sub, so that a
// script written for those runs with this client unchanged (the subset listed in usage()).
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "mqttconn/packet.hpp"

namespace client {

enum class mode : std::uint8_t { pub, sub };

// The MQTT 5 properties given with -D for one packet kind. The strings live in the owning
// options (a deque, so the views stay put), the property views point into them.
struct property_set {
  mqttconn::properties props;
  std::vector<mqttconn::user_property> user_properties;
  std::vector<std::uint32_t> subscription_identifiers;

  // props with the two list properties attached; valid while this set is unchanged.
  mqttconn::properties get() const;
};

struct options {
  client::mode mode = mode::pub;

  // Connection.
  std::string host = "localhost";
  std::string port = "1883";
  std::string bind_address;
  mqttconn::protocol_version version = mqttconn::protocol_version::v3_1_1;
  std::string client_id;         // empty: "mqttconn-<pid>" (or -I prefix + pid)
  std::string id_prefix;
  std::optional<std::string> username, password;
  std::uint16_t keep_alive = 60;
  bool clean_session = true;
  bool debug = false;
  bool quiet = false;

  // Will.
  std::optional<std::string> will_topic;
  std::string will_payload;
  mqttconn::qos will_qos = mqttconn::qos::at_most_once;
  bool will_retain = false;

  // Publishing and subscribing.
  std::vector<std::string> topics;
  mqttconn::qos qos = mqttconn::qos::at_most_once;
  bool retain = false;

  // pub: where the message comes from.
  enum class source : std::uint8_t { none, message, file, stdin_whole, stdin_lines, null_message };
  source msg_source = source::none;
  std::string message;  // -m text, or -f file name
  unsigned max_inflight = 20;

  // sub.
  std::vector<std::string> unsubscribe_topics;  // -U: unsubscribed after subscribing
  std::vector<std::string> filter_out;          // -T: messages on these filters are not printed
  long count = 0;                               // -C: exit after this many messages (0: never)
  long timeout = 0;                             // -W: exit after this many seconds (0: never)
  bool verbose = false;                         // -v: print the topic before the payload
  bool no_newline = false;                      // -N
  bool no_stale = false;                        // -R: skip messages with RETAIN set
  bool retained_only = false;                   // --retained-only
  bool exit_after_subscribe = false;            // -E
  std::optional<std::string> format;            // -F

  // -D: properties per packet kind.
  property_set connect_props, publish_props, subscribe_props, unsubscribe_props,
      disconnect_props, will_props;
  bool any_property = false;

  std::deque<std::string> storage;  // backing store of the property views
};

// Parses argv (after the subcommand); on error prints the reason and usage to stderr and
// returns nullopt. `help` is set when -h/--help was asked for (usage printed to stdout).
std::optional<options> parse(mode m, int argc, char** argv, bool& help);

void usage(mode m, std::FILE* to);

// -D <command> <identifier> <value> [<value>]: the words at argv[i + 1 ...]; advances i past
// what it used. Prints the reason and returns false on error.
bool parse_property(options& o, int argc, char** argv, int& i);

}  // namespace client
