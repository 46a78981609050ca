// The real mqttconn-broker binary on a TCP socket: started on -p 0, driven by mqttconn client
// connections at 3.1, 3.1.1 and 5.0 (connect, subscribe, publish QoS 0/1/2, receive,
// disconnect), stopped with SIGTERM. Every socket read has a timeout, so a broker that does
// not answer fails the test instead of hanging it. The binary's path comes from BROKER_BIN.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <list>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "mqttconn/connection.hpp"

using namespace mqttconn;

namespace {

constexpr int timeout_ms = 5000;

// The broker process, stopped with SIGTERM when the test ends.
class broker_process {
 public:
  broker_process() {
    const char* bin = std::getenv("BROKER_BIN");
    REQUIRE_MESSAGE(bin != nullptr, "BROKER_BIN is not set");
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      ::execl(bin, bin, "-p", "0", "-q", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    // The first line: "listening on 127.0.0.1:<port>".
    std::string line;
    while (line.find('\n') == std::string::npos) {
      pollfd p{out_, POLLIN, 0};
      REQUIRE_MESSAGE(::poll(&p, 1, timeout_ms) == 1, "no 'listening on' line in time");
      char buf[128];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      REQUIRE(n > 0);
      line.append(buf, static_cast<std::size_t>(n));
    }
    first_line = line.substr(0, line.find('\n'));
    const std::string prefix = "listening on 127.0.0.1:";
    REQUIRE_MESSAGE(first_line.rfind(prefix, 0) == 0, first_line);
    port = static_cast<std::uint16_t>(std::stoi(first_line.substr(prefix.size())));
  }
  // SIGTERM, then the exit status (-1 if it did not exit within the timeout).
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    for (int waited = 0; waited < timeout_ms; waited += 10) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = 0;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
      }
      ::usleep(10000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
    return status_;
  }
  ~broker_process() {
    stop();
    if (out_ >= 0) ::close(out_);
  }

  std::string first_line;
  std::uint16_t port = 0;

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int status_ = -1;
};

// A blocking TCP client with receive timeouts, around a client connection.
class tcp_client {
 public:
  tcp_client(std::uint16_t port, protocol_version v) : conn_(connection_options{.role = role::client}), v_(v) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    timeval tv{timeout_ms / 1000, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~tcp_client() { ::close(fd_); }

  void send(const packet& p) {
    const result<void> r = conn_.send(p);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message()));
    while (conn_.output_size() > 0) {
      const bytes out = conn_.output();
      const ssize_t n = ::write(fd_, out.data(), out.size());
      REQUIRE(n > 0);
      conn_.consume_output(static_cast<std::size_t>(n));
    }
  }

  // The next packet from the broker; fails after the timeout.
  packet next() {
    for (;;) {
      while (!in_.empty()) {
        const result<std::size_t> n = conn_.receive(in_);
        if (!n) FAIL(n.error().message());
        in_ = in_.subspan(*n);
        if (const packet* p = conn_.next_event()) return *p;
      }
      std::vector<std::uint8_t>& buf = bufs_.emplace_back(4096);  // kept: packets view it
      const ssize_t n = ::read(fd_, buf.data(), buf.size());
      if (n <= 0) FAIL("the broker sent nothing in time, or closed");
      in_ = bytes(buf.data(), static_cast<std::size_t>(n));
    }
  }
  template <class P>
  P next_as() {
    const packet p = next();
    if (!std::holds_alternative<P>(p)) FAIL("got " << to_string(type_of(p)));
    return std::get<P>(p);
  }
  // Queues a packet on the connection without writing it (see write_some()).
  void queue(const packet& p) {
    const result<void> r = conn_.send(p);
    if (!r) FAIL(r.error().message());  // not REQUIRE: called a million times
  }
  std::size_t queued() const { return conn_.output_size(); }
  // Writes what it can without blocking; false once the socket takes nothing more.
  bool write_some() {
    const bytes out = conn_.output();
    const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0) {
      REQUIRE_MESSAGE((errno == EAGAIN || errno == EWOULDBLOCK), "write failed: the broker closed the connection?");
      return false;
    }
    conn_.consume_output(static_cast<std::size_t>(n));
    return true;
  }

  // True once the broker closed the connection (read returns 0).
  bool closed_by_peer() {
    std::uint8_t b;
    return ::read(fd_, &b, 1) == 0;
  }

  void connect(std::string_view id) {
    mqttconn::connect c;
    c.version = v_;
    c.client_id = id;
    c.keep_alive = 30;
    send(c);
    CHECK(next_as<connack>().reason_code == 0);
  }

 private:
  int fd_ = -1;
  connection conn_;
  protocol_version v_;
  std::list<std::vector<std::uint8_t>> bufs_;
  bytes in_;
};

template <class A>
A ack(std::uint16_t id) {
  A a;
  a.packet_id = id;
  return a;
}

}  // namespace

TEST_SUITE("broker server") {

TEST_CASE("the broker binary serves 3.1 3.1.1 and 5.0 clients over TCP at QoS 0 1 and 2") {
  broker_process broker;
  CHECK(broker.first_line.find("listening on 127.0.0.1:") == 0);
  for (const protocol_version v : {protocol_version::v3_1, protocol_version::v3_1_1, protocol_version::v5}) {
    CAPTURE(static_cast<int>(v));
    const std::string level = std::to_string(static_cast<int>(v));
    tcp_client sub(broker.port, v), pub(broker.port, v);
    sub.connect("sub-" + level);
    pub.connect("pub-" + level);

    subscribe s;
    s.packet_id = 1;
    subscription f;
    const std::string filter = "it/" + level + "/#";
    f.topic_filter = filter;
    f.max_qos = qos::exactly_once;
    const subscription fs[] = {f};
    s.subscriptions = fs;
    sub.send(s);
    const suback sa = sub.next_as<suback>();
    REQUIRE(sa.reason_codes.size() == 1);
    CHECK(sa.reason_codes.data()[0] == 2);

    const std::string topic = "it/" + level + "/x";
    for (int q = 0; q <= 2; ++q) {
      publish p;
      p.topic = topic;
      const std::string payload = "message at QoS " + std::to_string(q);
      p.payload = binary(std::string_view(payload));
      p.qos = static_cast<qos>(q);
      p.packet_id = static_cast<std::uint16_t>(q == 0 ? 0 : 100 + q);
      pub.send(p);
      if (q == 1) CHECK(pub.next_as<puback>().packet_id == 101);
      if (q == 2) {
        CHECK(pub.next_as<pubrec>().packet_id == 102);
        pub.send(ack<pubrel>(102));
        CHECK(pub.next_as<pubcomp>().packet_id == 102);
      }
      const publish got = sub.next_as<publish>();
      CHECK(got.topic == topic);
      CHECK(got.payload.as_string() == payload);
      CHECK(static_cast<int>(got.qos) == q);
      if (q == 1) sub.send(ack<puback>(got.packet_id));
      if (q == 2) {
        sub.send(ack<pubrec>(got.packet_id));
        CHECK(sub.next_as<pubrel>().packet_id == got.packet_id);
        sub.send(ack<pubcomp>(got.packet_id));
      }
    }
    sub.send(pingreq{});
    sub.next_as<pingresp>();
    pub.send(disconnect{});
    sub.send(disconnect{});
    CHECK(pub.closed_by_peer());  // the broker closes after DISCONNECT
    CHECK(sub.closed_by_peer());
  }
  CHECK(broker.stop() == 0);  // SIGTERM: a clean exit
}

TEST_CASE("the broker binary survives garbage and abrupt closes and still serves") {
  broker_process broker;
  { tcp_client silent(broker.port, protocol_version::v3_1_1); }  // comes and goes without a byte
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(broker.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    const std::uint8_t noise[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0x00, 0x42};
    CHECK(::write(fd, noise, static_cast<std::size_t>(i + 3)) > 0);
    if (i == 0) ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }
  tcp_client ok(broker.port, protocol_version::v5);
  ok.connect("still-here");
  ok.send(pingreq{});
  ok.next_as<pingresp>();
  CHECK(broker.stop() == 0);
}

TEST_CASE("a client that does not read its acknowledgements is paused, not buffered without bound") {
  broker_process broker;
  tcp_client flood(broker.port, protocol_version::v3_1_1);
  flood.connect("flood");
  // QoS 1 PUBLISHes as fast as the socket takes them, never reading a PUBACK. Once the
  // broker's output queue for this client passes its limit it stops reading, the kernel
  // buffers fill, and the writes stall. Without that pause the broker would read on and queue
  // PUBACKs until its queue overflowed and it dropped the client.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::uint64_t sent = 0;
  auto stalled_since = std::chrono::steady_clock::now();
  for (;;) {
    while (flood.queued() < 65536) {
      publish p;
      p.topic = "flood";
      p.payload = binary(std::string_view("x"));
      p.qos = qos::at_least_once;
      p.packet_id = static_cast<std::uint16_t>(sent % 65535 + 1);
      flood.queue(p);
      ++sent;
    }
    const auto now = std::chrono::steady_clock::now();
    if (flood.write_some()) {
      stalled_since = now;
    } else if (now - stalled_since > std::chrono::milliseconds(500)) {
      break;  // stalled: the broker stopped reading
    } else {
      ::usleep(1000);
    }
    REQUIRE_MESSAGE(now < give_up, "the writes never stalled: the broker reads without bound");
  }
  const std::uint64_t written = sent - (flood.queued() + 7) / 8;  // each PUBLISH is 8 bytes
  MESSAGE("stalled after about " << written << " PUBLISH packets");
  // The broker still serves others.
  tcp_client other(broker.port, protocol_version::v5);
  other.connect("other");
  other.send(pingreq{});
  other.next_as<pingresp>();
  // Reading the PUBACKs lets the broker go on; every written PUBLISH is acknowledged.
  std::uint64_t acks = 0;
  while (acks + 1000 < written) {
    flood.next_as<puback>();  // fails the test on anything else, or after the timeout
    ++acks;
  }
  CHECK(acks + 1000 >= written);
  CHECK(written > 100000);  // the pause comes after the buffers filled, not at once
  CHECK(broker.stop() == 0);
}

}  // TEST_SUITE
