// mqttconn-client sub: mosquitto_sub's behaviour. Connects, subscribes to every -t filter in
// one SUBSCRIBE, unsubscribes the -U filters, then prints each message as it arrives (payload,
// "topic payload" with -v, or the -F format) until -C messages were printed or -W seconds
// passed. QoS 2 messages are printed once: a PUBLISH whose packet id is still awaiting its
// PUBREL is a resend and only acknowledged again.
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "format.hpp"
#include "modes.hpp"
#include "reason_strings.hpp"
#include "session.hpp"

namespace client {
namespace {

// MQTT filter matching for -T: '+' is one level, '#' the rest; '$' topics only match filters
// that name their first level [MQTT-4.7.2-1].
bool matches(std::string_view filter, std::string_view topic) {
  if (!topic.empty() && topic.front() == '$' && !filter.empty() && (filter.front() == '+' || filter.front() == '#')) {
    return false;
  }
  for (;;) {
    const std::size_t fe = filter.find('/'), te = topic.find('/');
    const std::string_view f = filter.substr(0, fe), t = topic.substr(0, te);
    if (f == "#") return true;
    if (f != "+" && f != t) return false;
    if (fe == std::string_view::npos || te == std::string_view::npos) {
      return fe == te || (te == std::string_view::npos && filter.substr(fe + 1) == "#");
    }
    filter.remove_prefix(fe + 1);
    topic.remove_prefix(te + 1);
  }
}

class subscriber {
 public:
  subscriber(const options& o, session& s) : o_(o), s_(s) {}

  int run() {
    const auto deadline = o_.timeout > 0 ? std::optional(clock::now() + std::chrono::seconds(o_.timeout))
                                         : std::nullopt;
    if (!o_.topics.empty()) {
      std::vector<mqttconn::subscription> subs;
      for (const std::string& t : o_.topics) subs.push_back({.topic_filter = t, .max_qos = o_.qos});
      mqttconn::subscribe p;
      p.packet_id = s_.next_packet_id();
      p.subscriptions = std::span<const mqttconn::subscription>(subs);
      if (s_.version() == mqttconn::protocol_version::v5) p.props = o_.subscribe_props.get();
      if (const int rc = s_.send(p); rc != 0) return rc;
      if (const int rc = await_ack(p.packet_id, deadline); rc != 0) return rc;
    }
    if (!o_.unsubscribe_topics.empty()) {
      std::vector<std::string_view> filters(o_.unsubscribe_topics.begin(), o_.unsubscribe_topics.end());
      mqttconn::unsubscribe p;
      p.packet_id = s_.next_packet_id();
      p.topic_filters = std::span<const std::string_view>(filters);
      if (s_.version() == mqttconn::protocol_version::v5) p.props = o_.unsubscribe_props.get();
      if (const int rc = s_.send(p); rc != 0) return rc;
      if (const int rc = await_ack(p.packet_id, deadline); rc != 0) return rc;
    }
    if (o_.exit_after_subscribe) return exit_ok;
    while (!done_) {
      if (const int rc = step(deadline); rc != 0) return timed_out(rc);
    }
    // The last QoS 2 messages were printed; finish their exchange before disconnecting.
    const auto grace = clock::now() + std::chrono::seconds(2);
    while (!awaiting_rel_.empty()) {
      if (step(grace) != 0) break;
    }
    return exit_ok;
  }

 private:
  // Serves packets until the SUBACK or UNSUBACK with this packet id.
  int await_ack(std::uint16_t id, std::optional<clock::time_point> deadline) {
    acked_ = false;
    awaited_ = id;
    while (!acked_ && !done_) {
      if (const int rc = step(deadline); rc != 0) return timed_out(rc);
    }
    return denied_ ? exit_error : exit_ok;
  }

  int timed_out(int rc) const {
    if (rc == exit_timeout && !o_.quiet) std::fprintf(stderr, "Timed out\n");
    return rc;
  }

  // Serves one packet from the server; exit_timeout at the deadline.
  int step(std::optional<clock::time_point> deadline) {
    const mqttconn::packet* p = nullptr;
    switch (s_.wait(p, deadline)) {
      case session::status::failed: return s_.exit_code();
      case session::status::timeout: return exit_timeout;
      case session::status::packet: break;
    }
    if (const auto* m = std::get_if<mqttconn::publish>(p)) return on_publish(*m);
    if (const auto* r = std::get_if<mqttconn::pubrel>(p)) {
      awaiting_rel_.erase(r->packet_id);
      return s_.send(ack<mqttconn::pubcomp>(r->packet_id));
    }
    if (const auto* a = std::get_if<mqttconn::suback>(p)) {
      if (a->packet_id != awaited_) return exit_ok;
      acked_ = true;
      std::size_t refused = 0;
      for (std::uint8_t rc : a->reason_codes) refused += rc >= 0x80 ? 1 : 0;
      if (refused == a->reason_codes.size()) {
        if (!o_.quiet) std::fprintf(stderr, "All subscription requests were denied.\n");
        denied_ = true;
      } else if (refused > 0 && !o_.quiet) {
        std::fprintf(stderr, "Warning: %zu of %zu subscription requests were denied.\n", refused,
                     a->reason_codes.size());
      }
    } else if (const auto* u = std::get_if<mqttconn::unsuback>(p)) {
      acked_ = acked_ || u->packet_id == awaited_;
    }
    return exit_ok;
  }

  int on_publish(const mqttconn::publish& in) {
    // 5.0 §3.3.2.3.4: a Topic Alias with a topic sets it, one without a topic uses it (only
    // sent to us if -D connect topic-alias-maximum allowed it).
    mqttconn::publish m = in;
    if (const auto alias = in.props.topic_alias()) {
      if (!in.topic.empty()) {
        aliases_[*alias] = std::string(in.topic);
      } else if (auto it = aliases_.find(*alias); it != aliases_.end()) {
        m.topic = it->second;
      } else {
        if (!o_.quiet) std::fprintf(stderr, "Error: Protocol error: unknown topic alias %u\n", *alias);
        return exit_protocol;
      }
    }
    // Print first: the acknowledgement ends the views of `m`.
    const std::uint16_t id = m.packet_id;
    const mqttconn::qos q = m.qos;
    const bool resend = q == mqttconn::qos::exactly_once && awaiting_rel_.count(id) != 0;
    if (!resend && !done_) deliver(m);
    if (q == mqttconn::qos::at_least_once) return s_.send(ack<mqttconn::puback>(id));
    if (q == mqttconn::qos::exactly_once) {
      awaiting_rel_.insert(id);
      return s_.send(ack<mqttconn::pubrec>(id));
    }
    return exit_ok;
  }

  void deliver(const mqttconn::publish& m) {
    if (o_.retained_only && !m.retain) {
      done_ = true;
      return;
    }
    if (o_.no_stale && m.retain) return;
    for (const std::string& f : o_.filter_out) {
      if (matches(f, m.topic)) return;
    }
    if (o_.format) {
      print_formatted(*o_.format, m, stdout);
    } else {
      if (o_.verbose) std::fwrite(m.topic.data(), 1, m.topic.size(), stdout), std::fputc(' ', stdout);
      std::fwrite(m.payload.data(), 1, m.payload.size(), stdout);
    }
    if (!o_.no_newline) std::fputc('\n', stdout);
    std::fflush(stdout);
    if (o_.count > 0 && ++printed_ >= o_.count) done_ = true;
  }

  const options& o_;
  session& s_;
  std::set<std::uint16_t> awaiting_rel_;  // QoS 2 packet ids received, PUBREL not yet
  std::map<std::uint16_t, std::string> aliases_;  // the server's Topic Aliases
  std::uint16_t awaited_ = 0;
  bool acked_ = false;
  bool denied_ = false;
  bool done_ = false;
  long printed_ = 0;
};

}  // namespace

int run_sub(const options& o) {
  session s(o);
  if (const int rc = s.open(); rc != 0) return rc;
  subscriber sub(o, s);
  const int rc = sub.run();
  if (rc == exit_ok || rc == exit_timeout || rc == exit_error) s.close();
  return rc;
}

}  // namespace client
