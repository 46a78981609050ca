// mqttconn-client pub: mosquitto_pub's behaviour. Connects, publishes the message (or the
// file, stdin, or each line of stdin), waits until every QoS 1/2 message is acknowledged,
// disconnects. At most --max-inflight messages (and no more than the server's Receive
// Maximum) are unacknowledged at a time.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "modes.hpp"
#include "reason_strings.hpp"
#include "session.hpp"

namespace client {
namespace {

class publisher {
 public:
  publisher(const options& o, session& s) : o_(o), s_(s) {}

  int publish(std::string_view payload) {
    const std::size_t window = std::min<std::size_t>(o_.max_inflight, s_.server_receive_maximum());
    while (o_.qos != mqttconn::qos::at_most_once && inflight_.size() >= window) {
      if (const int rc = step(std::nullopt); rc != 0) return rc;
    }
    mqttconn::publish p;
    p.qos = o_.qos;
    p.retain = o_.retain;
    p.topic = o_.topics.front();
    p.payload = mqttconn::binary(payload);
    if (s_.version() == mqttconn::protocol_version::v5) p.props = o_.publish_props.get();
    if (p.qos != mqttconn::qos::at_most_once) {
      p.packet_id = s_.next_packet_id();
      inflight_[p.packet_id] = p.qos == mqttconn::qos::exactly_once ? awaiting::pubrec : awaiting::puback;
    }
    return s_.send(p);
  }

  // Waits until nothing is in flight.
  int drain() {
    while (!inflight_.empty()) {
      if (const int rc = step(std::nullopt); rc != 0) return rc;
    }
    return failed_ ? exit_error : exit_ok;
  }

  // Handles the packets that arrive until `deadline` (or the next one, without deadline).
  int step(std::optional<clock::time_point> deadline) {
    const mqttconn::packet* p = nullptr;
    switch (s_.wait(p, deadline)) {
      case session::status::failed: return s_.exit_code();
      case session::status::timeout: return exit_ok;
      case session::status::packet: break;
    }
    if (const auto* a = std::get_if<mqttconn::puback>(p)) {
      check(a->packet_id, a->reason_code, awaiting::puback);
      inflight_.erase(a->packet_id);
    } else if (const auto* r = std::get_if<mqttconn::pubrec>(p)) {
      const std::uint16_t id = r->packet_id;
      if (!check(id, r->reason_code, awaiting::pubrec) || r->reason_code >= 0x80) {
        inflight_.erase(id);
        return exit_ok;
      }
      inflight_[id] = awaiting::pubcomp;
      return s_.send(ack<mqttconn::pubrel>(id));
    } else if (const auto* c = std::get_if<mqttconn::pubcomp>(p)) {
      check(c->packet_id, c->reason_code, awaiting::pubcomp);
      inflight_.erase(c->packet_id);
    }
    // Anything else (a PUBLISH we never subscribed for) is not for a publisher: ignored.
    return exit_ok;
  }

 private:
  enum class awaiting : std::uint8_t { puback, pubrec, pubcomp };

  bool check(std::uint16_t id, std::uint8_t reason_code, awaiting what) {
    auto it = inflight_.find(id);
    if (it == inflight_.end() || it->second != what) {
      if (!o_.quiet) std::fprintf(stderr, "Warning: unexpected acknowledgement for message %u\n", id);
      return false;
    }
    if (reason_code >= 0x80) {
      if (!o_.quiet) std::fprintf(stderr, "Warning: Publish %u failed: %s.\n", id, reason_string(reason_code));
      failed_ = true;
    }
    return true;
  }

  const options& o_;
  session& s_;
  std::map<std::uint16_t, awaiting> inflight_;
  bool failed_ = false;
};

bool read_all(std::istream& in, std::string& out) {
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// -l: one message per line of stdin, sent as it is read; acknowledgements and keep-alive are
// served while stdin is quiet.
int publish_lines(publisher& pub) {
  std::string buf;
  bool eof = false;
  while (!eof || !buf.empty()) {
    const std::size_t nl = buf.find('\n');
    if (nl != std::string::npos || (eof && !buf.empty())) {
      const std::string line = buf.substr(0, nl);
      buf.erase(0, nl == std::string::npos ? buf.size() : nl + 1);
      if (const int rc = pub.publish(line); rc != 0) return rc;
      continue;
    }
    pollfd pf{STDIN_FILENO, POLLIN, 0};
    const int r = ::poll(&pf, 1, 100);
    if (r == 0) {
      if (const int rc = pub.step(clock::now()); rc != 0) return rc;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    char chunk[65536];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
    } else {
      buf.append(chunk, static_cast<std::size_t>(n));
    }
  }
  return exit_ok;
}

}  // namespace

int run_pub(const options& o) {
  std::string payload;
  switch (o.msg_source) {
    case options::source::message: payload = o.message; break;
    case options::source::file: {
      std::ifstream f(o.message, std::ios::binary);
      if (!f || !read_all(f, payload)) {
        std::fprintf(stderr, "Error: Unable to read file \"%s\".\n", o.message.c_str());
        return exit_error;
      }
      break;
    }
    case options::source::stdin_whole: {
      std::ostringstream all;
      all << std::cin.rdbuf();
      payload = all.str();
      break;
    }
    default: break;
  }

  session s(o);
  if (const int rc = s.open(); rc != 0) return rc;
  publisher pub(o, s);
  int rc = o.msg_source == options::source::stdin_lines ? publish_lines(pub) : pub.publish(payload);
  if (rc == 0) rc = pub.drain();
  if (rc == 0 || rc == exit_error) s.close();
  return rc;
}

}  // namespace client
