// load_client: many MQTT clients in one thread, for the broker load benchmark (run.sh).
//
//   load_client throughput PORT PUBLISHERS SUBSCRIBERS MESSAGES QOS SIZE [TIME_LIMIT_S [WINDOW]]
//     SUBSCRIBERS clients subscribe to "bench/#" at QOS; PUBLISHERS clients then publish
//     MESSAGES messages of SIZE bytes each to "bench/<n>" at QOS. Every subscriber gets every
//     message, so the broker delivers PUBLISHERS x MESSAGES x SUBSCRIBERS messages. Publishers
//     stay at most WINDOW messages each (default 50) ahead of the slowest subscriber
//     (end-to-end flow control), so no broker has to queue much or drop: the number measures
//     forwarding, not buffering. Prints one line: "deliveries=... seconds=... msgs_per_s=... complete=1".
//   load_client idle PORT COUNT
//     Opens COUNT connections (3.1.1, keep-alive 120 s), waits for every CONNACK, prints
//     "ready", and holds them until standard input closes.
//
// Every client is an mqttconn client connection on a non-blocking socket; one poll() drives
// them all, so every broker sees exactly the same clients.
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

#include "mqttconn/connection.hpp"

using namespace mqttconn;

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "load_client: %s\n", what.c_str());
  std::exit(1);
}

struct client {
  int fd = -1;
  connection conn{connection_options{.role = role::client}};
  bool connacked = false;
  bool subacked = false;
  std::uint64_t received = 0;   // subscriber: PUBLISH received
  std::uint64_t published = 0;  // publisher: PUBLISH sent
  std::uint32_t inflight = 0;   // publisher: QoS 1/2 not yet completed
  std::uint16_t next_id = 0;
  std::string topic;
};

int dial(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    die(std::string("connect: ") + std::strerror(errno));
  }
  return fd;
}

void must(const result<void>& r) {
  if (!r) die(r.error().message());
}

// Writes what the connection queued; partial writes stay queued.
void flush(client& c) {
  while (c.conn.output_size() > 0) {
    bytes segs[16];
    iovec iov[16];
    const std::size_t n = c.conn.output_segments(segs);
    for (std::size_t i = 0; i < n; ++i) iov[i] = {const_cast<std::uint8_t*>(segs[i].data()), segs[i].size()};
    const ssize_t w = ::writev(c.fd, iov, static_cast<int>(n));
    if (w > 0) {
      c.conn.consume_output(static_cast<std::size_t>(w));
      continue;
    }
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN)) return;
    if (w < 0 && errno == EINTR) continue;
    die(std::string("write: ") + std::strerror(errno));
  }
}

class driver {
 public:
  explicit driver(std::uint16_t port) : port_(port), buf_(64 * 1024) {}

  client& add(std::string_view id, std::uint16_t keep_alive) {
    auto c = std::make_unique<client>();
    c->fd = dial(port_);
    mqttconn::connect p;
    p.version = protocol_version::v3_1_1;
    p.client_id = id;
    p.keep_alive = keep_alive;
    must(c->conn.connect(p));
    clients_.push_back(std::move(c));
    return *clients_.back();
  }

  // One poll round: write, wait up to `wait_ms`, read and answer. `on_publish` sees every
  // PUBLISH a client receives.
  template <class F>
  void step(int wait_ms, F&& on_publish) {
    fds_.clear();
    for (const auto& c : clients_) {
      flush(*c);
      fds_.push_back({c->fd, static_cast<short>(POLLIN | (c->conn.output_size() > 0 ? POLLOUT : 0)), 0});
    }
    const int n = ::poll(fds_.data(), fds_.size(), wait_ms);
    if (n < 0 && errno != EINTR) die(std::string("poll: ") + std::strerror(errno));
    for (std::size_t i = 0; i < fds_.size(); ++i) {
      if (fds_[i].revents == 0) continue;
      client& c = *clients_[i];
      if (fds_[i].revents & (POLLIN | POLLHUP | POLLERR)) read(c, on_publish);
      flush(c);
    }
  }

  std::vector<std::unique_ptr<client>>& clients() { return clients_; }

 private:
  template <class F>
  void read(client& c, F& on_publish) {
    for (int round = 0; round < 4; ++round) {
      const ssize_t n = ::recv(c.fd, buf_.data(), buf_.size(), 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) die(n == 0 ? "the broker closed a connection" : std::string("recv: ") + std::strerror(errno));
      bytes in(buf_.data(), static_cast<std::size_t>(n));
      while (!in.empty()) {
        const result<std::size_t> used = c.conn.receive(in);
        if (!used) die("from the broker: " + used.error().message());
        in = in.subspan(*used);
        if (const packet* p = c.conn.next_event()) handle(c, *p, on_publish);
      }
      if (static_cast<std::size_t>(n) < buf_.size()) return;
    }
  }

  template <class F>
  void handle(client& c, const packet& p, F& on_publish) {
    if (std::holds_alternative<connack>(p)) {
      if (std::get<connack>(p).reason_code != 0) die("CONNACK refused");
      c.connacked = true;
    } else if (std::holds_alternative<suback>(p)) {
      c.subacked = true;
    } else if (const auto* pub = std::get_if<publish>(&p)) {
      ++c.received;
      if (pub->qos == qos::at_least_once) {
        puback a;
        a.packet_id = pub->packet_id;
        must(c.conn.puback(a));
      } else if (pub->qos == qos::exactly_once) {
        pubrec a;
        a.packet_id = pub->packet_id;
        must(c.conn.pubrec(a));
      }
      on_publish(c, *pub);
    } else if (const auto* rel = std::get_if<pubrel>(&p)) {
      pubcomp a;
      a.packet_id = rel->packet_id;
      must(c.conn.pubcomp(a));
    } else if (const auto* rec = std::get_if<pubrec>(&p)) {
      pubrel a;
      a.packet_id = rec->packet_id;
      must(c.conn.pubrel(a));
    } else if (std::holds_alternative<puback>(p) || std::holds_alternative<pubcomp>(p)) {
      --c.inflight;
    }
  }

  std::uint16_t port_;
  std::vector<std::unique_ptr<client>> clients_;
  std::vector<pollfd> fds_;
  std::vector<std::uint8_t> buf_;
};

const auto ignore = [](client&, const publish&) {};

void wait_for(driver& d, const char* what, double limit_s, bool (*done)(const client&)) {
  const auto until = clock_type::now() + std::chrono::duration<double>(limit_s);
  for (;;) {
    bool all = true;
    for (const auto& c : d.clients()) all = all && done(*c);
    if (all) return;
    if (clock_type::now() > until) die(std::string("timed out waiting for ") + what);
    d.step(100, ignore);
  }
}

int throughput(std::uint16_t port, int pubs, int subs, std::uint64_t messages, int q, std::size_t size, double limit_s,
               std::uint64_t per_publisher_window) {
  driver d(port);
  std::vector<client*> subscribers, publishers;
  for (int i = 0; i < subs; ++i) subscribers.push_back(&d.add("bench-sub-" + std::to_string(i), 120));
  wait_for(d, "CONNACK", 10, [](const client& c) { return c.connacked; });
  for (client* c : subscribers) {
    mqttconn::subscribe s;
    s.packet_id = 1;
    subscription f;
    f.topic_filter = "bench/#";
    f.max_qos = static_cast<qos>(q);
    const subscription fs[] = {f};
    s.subscriptions = fs;
    must(c->conn.subscribe(s));
  }
  wait_for(d, "SUBACK", 10, [](const client& c) { return c.subacked; });
  for (int i = 0; i < pubs; ++i) {
    client& c = d.add("bench-pub-" + std::to_string(i), 120);
    c.topic = "bench/" + std::to_string(i);
    c.subacked = true;
    publishers.push_back(&c);
  }
  wait_for(d, "CONNACK", 10, [](const client& c) { return c.connacked; });

  const std::vector<std::uint8_t> payload(size, 'x');
  const std::uint64_t total = messages * static_cast<std::uint64_t>(pubs);
  const std::uint64_t window = per_publisher_window * static_cast<std::uint64_t>(pubs);  // ahead of the slowest subscriber
  const std::uint32_t max_inflight = 20;                                // per publisher, QoS 1/2
  std::uint64_t published = 0;
  const auto start = clock_type::now();
  const auto until = start + std::chrono::duration<double>(limit_s);
  for (;;) {
    std::uint64_t slowest = total;
    for (const client* c : subscribers) slowest = std::min(slowest, c->received);
    if (slowest == total) break;
    if (clock_type::now() > until) break;
    for (client* c : publishers) {
      while (c->published < messages && published - slowest < window && c->conn.output_size() < 65536 &&
             (q == 0 || c->inflight < max_inflight)) {
        publish p;
        p.topic = c->topic;
        p.payload = binary(payload.data(), payload.size());
        p.qos = static_cast<qos>(q);
        if (q > 0) {
          c->next_id = static_cast<std::uint16_t>(c->next_id % 65535 + 1);
          p.packet_id = c->next_id;
          ++c->inflight;
        }
        must(c->conn.publish(p));
        ++c->published;
        ++published;
      }
    }
    d.step(50, ignore);
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  std::uint64_t deliveries = 0;
  for (const client* c : subscribers) deliveries += c->received;
  const bool complete = deliveries == total * static_cast<std::uint64_t>(subs);
  std::printf("deliveries=%llu seconds=%.3f msgs_per_s=%.0f complete=%d\n",
              static_cast<unsigned long long>(deliveries), seconds, static_cast<double>(deliveries) / seconds,
              complete ? 1 : 0);
  std::fflush(stdout);
  return complete ? 0 : 3;
}

int idle(std::uint16_t port, int count) {
  driver d(port);
  for (int i = 0; i < count; ++i) {
    d.add("idle-" + std::to_string(i), 120);
    if (i % 100 == 99) d.step(0, ignore);  // do not let the listen backlog overflow
  }
  wait_for(d, "CONNACK", 30, [](const client& c) { return c.connacked; });
  std::printf("ready\n");
  std::fflush(stdout);
  char b;
  while (::read(STDIN_FILENO, &b, 1) > 0) {
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "throughput" && argc >= 8 && argc <= 10) {
    return throughput(static_cast<std::uint16_t>(std::atoi(argv[2])), std::atoi(argv[3]), std::atoi(argv[4]),
                      std::strtoull(argv[5], nullptr, 10), std::atoi(argv[6]),
                      static_cast<std::size_t>(std::atol(argv[7])), argc >= 9 ? std::atof(argv[8]) : 30.0,
                      argc >= 10 ? std::strtoull(argv[9], nullptr, 10) : 50);
  }
  if (mode == "idle" && argc == 4) return idle(static_cast<std::uint16_t>(std::atoi(argv[2])), std::atoi(argv[3]));
  std::fprintf(stderr,
               "usage: load_client throughput PORT PUBLISHERS SUBSCRIBERS MESSAGES QOS SIZE [TIME_LIMIT_S [WINDOW]]\n"
               "       load_client idle PORT COUNT\n");
  return 2;
}
