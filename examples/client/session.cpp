// The socket side of a client session: connect, the CONNECT/CONNACK exchange, writing queued
// output, reading into the connection, keep-alive pings, and mosquitto's wording for failures.
#include "session.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "describe.hpp"
#include "reason_strings.hpp"

namespace client {
namespace {

int millis_until(clock::time_point t, clock::time_point now) {
  if (t <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - now).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

}  // namespace

session::session(const options& o)
    : opts_(o), conn_(mqttconn::connection_options{.role = mqttconn::role::client}), client_id_(o.client_id),
      keep_alive_(o.keep_alive) {
  in_.resize(64 * 1024);
}

session::~session() {
  if (fd_ >= 0) ::close(fd_);
}

int session::fail(int code, const char* fmt, ...) {
  if (!opts_.quiet) {
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
  }
  exit_code_ = code;
  return code;
}

void session::debug(const char* dir, const mqttconn::packet& p) const {
  if (!opts_.debug) return;
  const std::string line = describe(p);
  std::printf("Client %s %s %s\n", client_id_.c_str(), dir, line.c_str());
  std::fflush(stdout);
}

std::uint16_t session::next_packet_id() {
  if (++next_id_ == 0) next_id_ = 1;
  return next_id_;
}

int session::open() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(opts_.host.c_str(), opts_.port.c_str(), &hints, &res); rc != 0) {
    return fail(exit_error, "Error: %s", ::gai_strerror(rc));
  }
  int err = 0;
  for (addrinfo* a = res; a != nullptr && fd_ < 0; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd_ < 0) continue;
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      ::close(fd_);
      fd_ = -1;
    }
  }
  ::freeaddrinfo(res);
  if (fd_ < 0) return fail(exit_error, "Error: %s", std::strerror(err));
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  mqttconn::connect c;
  c.version = opts_.version;
  c.clean_start = opts_.clean_session;
  c.keep_alive = opts_.keep_alive;
  c.client_id = client_id_;
  if (opts_.username) c.username = *opts_.username;
  if (opts_.password) c.password = mqttconn::binary(std::string_view(*opts_.password));
  if (opts_.version == mqttconn::protocol_version::v5) c.props = opts_.connect_props.get();
  if (opts_.will_topic) {
    mqttconn::will_message w;
    w.topic = *opts_.will_topic;
    w.payload = mqttconn::binary(std::string_view(opts_.will_payload));
    w.qos = opts_.will_qos;
    w.retain = opts_.will_retain;
    if (opts_.version == mqttconn::protocol_version::v5) w.props = opts_.will_props.get();
    c.will = w;
  }
  if (const int rc = send(c); rc != 0) return rc;

  const mqttconn::packet* p = nullptr;
  const auto deadline = clock::now() + std::chrono::seconds(std::max<int>(opts_.keep_alive, 10));
  switch (wait(p, deadline)) {
    case status::failed: return exit_code_;
    case status::timeout: return fail(exit_timeout, "Error: no CONNACK from the server");
    case status::packet: break;
  }
  const auto* ack = std::get_if<mqttconn::connack>(p);
  if (ack == nullptr) return fail(exit_protocol, "Error: Protocol error (expected CONNACK)");
  if (ack->reason_code != 0) {
    if (opts_.version == mqttconn::protocol_version::v5) {
      return fail(ack->reason_code, "Connection error: %s", reason_string(ack->reason_code));
    }
    return fail(ack->reason_code, "Connection error: %s", connack_string(ack->reason_code));
  }
  if (auto rm = ack->props.receive_maximum()) server_receive_max_ = *rm;
  if (auto id = ack->props.assigned_client_identifier()) client_id_ = std::string(*id);
  if (auto ka = ack->props.server_keep_alive()) keep_alive_ = *ka;
  return exit_ok;
}

int session::send(const mqttconn::packet& p) {
  if (auto r = conn_.send(p); !r) {
    return fail(exit_protocol, "Error: cannot send %s: %s", mqttconn::to_string(mqttconn::type_of(p)),
                r.error().message().c_str());
  }
  debug("sending", p);
  return flush();
}

int session::flush() {
  while (conn_.output_size() > 0) {
    pollfd pf{fd_, POLLOUT | POLLIN, 0};
    if (::poll(&pf, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return fail(exit_error, "Error: %s", std::strerror(errno));
    }
    if ((pf.revents & POLLIN) != 0 && !read_some()) return exit_code_;
    if ((pf.revents & (POLLOUT | POLLERR | POLLHUP)) == 0) continue;
    mqttconn::bytes segs[16];
    const std::size_t n = conn_.output_segments(segs);
    iovec iov[16];
    for (std::size_t i = 0; i < n; ++i) iov[i] = {const_cast<std::uint8_t*>(segs[i].data()), segs[i].size()};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    const ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return fail(exit_conn_lost, "Error: %s", std::strerror(errno));
    }
    conn_.consume_output(static_cast<std::size_t>(w));
    last_sent_ = clock::now();
  }
  return exit_ok;
}

bool session::read_some() {
  // Bytes already given to the connection may back the views of the last packet: keep them
  // until the buffer is empty, then start again at its front.
  if (in_start_ == in_end_) in_start_ = in_end_ = 0;
  if (in_end_ == in_.size()) {
    if (in_start_ == 0) {
      in_.resize(in_.size() * 2);
    } else {
      std::memmove(in_.data(), in_.data() + in_start_, in_end_ - in_start_);
      in_end_ -= in_start_;
      in_start_ = 0;
    }
  }
  const ssize_t r = ::recv(fd_, in_.data() + in_end_, in_.size() - in_end_, 0);
  if (r == 0) return fail(exit_conn_lost, "Error: The connection was lost."), false;
  if (r < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    return fail(exit_conn_lost, "Error: %s", std::strerror(errno)), false;
  }
  in_end_ += static_cast<std::size_t>(r);
  return true;
}

int session::keep_alive_due(clock::time_point now) {
  if (keep_alive_ == 0) return exit_ok;
  const auto ka = std::chrono::seconds(keep_alive_);
  if (ping_sent_ && now >= *ping_sent_ + ka) {
    return fail(exit_keepalive, "Error: Keepalive timeout: no PINGRESP within %u seconds", keep_alive_);
  }
  if (!ping_sent_ && now >= last_sent_ + ka && conn_.state() == mqttconn::connection_state::connected) {
    ping_sent_ = now;
    return send(mqttconn::pingreq{});
  }
  return exit_ok;
}

session::status session::wait(const mqttconn::packet*& out, std::optional<clock::time_point> deadline) {
  for (;;) {
    // Packets already read come first.
    while (in_start_ < in_end_) {
      auto n = conn_.receive(mqttconn::bytes(in_.data() + in_start_, in_end_ - in_start_));
      if (!n) {
        flush();  // a 5.0 DISCONNECT may be queued for the server
        fail(exit_protocol, "Error: Protocol error: %s", n.error().message().c_str());
        return status::failed;
      }
      in_start_ += *n;
      const mqttconn::packet* p = conn_.next_event();
      if (p == nullptr) continue;
      debug("received", *p);
      if (std::holds_alternative<mqttconn::pingresp>(*p)) {
        ping_sent_.reset();
        continue;
      }
      if (const auto* d = std::get_if<mqttconn::disconnect>(p)) {
        fail(d->reason_code == 0 ? exit_conn_lost : d->reason_code, "Error: the server disconnected: %s",
             reason_string(d->reason_code));
        return status::failed;
      }
      out = p;
      return status::packet;
    }
    const auto now = clock::now();
    if (keep_alive_due(now) != 0) return status::failed;
    if (deadline && now >= *deadline) return status::timeout;
    int ms = -1;
    if (deadline) ms = millis_until(*deadline, now);
    if (keep_alive_ != 0) {
      const auto ka = std::chrono::seconds(keep_alive_);
      const int k = millis_until(ping_sent_ ? *ping_sent_ + ka : last_sent_ + ka, now);
      ms = ms < 0 ? k : std::min(ms, k);
    }
    pollfd pf{fd_, POLLIN, 0};
    const int r = ::poll(&pf, 1, ms);
    if (r < 0 && errno != EINTR) {
      fail(exit_error, "Error: %s", std::strerror(errno));
      return status::failed;
    }
    if (r > 0 && !read_some()) return status::failed;
  }
}

void session::close() {
  if (fd_ < 0) return;
  if (conn_.state() == mqttconn::connection_state::connected) {
    mqttconn::disconnect d;
    if (opts_.version == mqttconn::protocol_version::v5) d.props = opts_.disconnect_props.get();
    (void)send(d);
  }
  ::shutdown(fd_, SHUT_WR);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace client
