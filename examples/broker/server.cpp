#include "server.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace mqttbroker {

namespace {

millis now_ms() {
  return std::chrono::duration_cast<millis>(std::chrono::steady_clock::now().time_since_epoch());
}

// snprintf rather than string concatenation: GCC 12 warns falsely (-Wrestrict) on the latter.
std::string peer_name(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = "?";
  char out[INET6_ADDRSTRLEN + 16];
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
    std::snprintf(out, sizeof out, "%s:%u", host, unsigned{ntohs(in.sin_port)});
  } else {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
    inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
    std::snprintf(out, sizeof out, "[%s]:%u", host, unsigned{ntohs(in6.sin6_port)});
  }
  return out;
}

constexpr millis tick_every{250};

}  // namespace

server::server(const server_options& o, broker& b, const logger& log)
    : opts_(o), broker_(b), log_(log), buf_(64 * 1024) {}

server::~server() {
  for (const client& c : clients_) ::close(c.fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string server::endpoint() const {
  const bool v6 = opts_.address.find(':') != std::string::npos;
  char out[INET6_ADDRSTRLEN + 16];
  std::snprintf(out, sizeof out, v6 ? "[%s]:%u" : "%s:%u", opts_.address.c_str(), unsigned{port_});
  return out;
}

bool server::listen(std::string& error) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto& in = reinterpret_cast<sockaddr_in&>(addr);
  auto& in6 = reinterpret_cast<sockaddr_in6&>(addr);
  if (inet_pton(AF_INET, opts_.address.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(opts_.port);
    len = sizeof in;
  } else if (inet_pton(AF_INET6, opts_.address.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(opts_.port);
    len = sizeof in6;
  } else {
    error = "not a numeric IPv4 or IPv6 address: " + opts_.address;
    return false;
  }
  listen_fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listen_fd_, 512) != 0) {
    error = "cannot listen on " + endpoint() + ": " + std::strerror(errno);
    return false;
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &blen);
  port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in&>(bound).sin_port
                                           : reinterpret_cast<sockaddr_in6&>(bound).sin6_port);
  return true;
}

void server::accept_all(millis now) {
  for (;;) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // EMFILE and the like: the pending connection stays in the backlog and the listener
      // stays readable, so wait a little before trying again instead of spinning.
      BROKER_LOG(log_, error, "accept: %s; pausing for 100 ms", std::strerror(errno));
      accept_paused_until_ = now + millis(100);
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    clients_.push_back({fd, &broker_.open(peer_name(a), now)});
  }
}

void server::read_from(client& c, millis now) {
  // A few reads per loop, so one busy client cannot starve the others.
  for (int round = 0; round < 4; ++round) {
    if (c.s->closing || c.s->output_size() > opts_.read_pause) return;
    const ssize_t n = ::recv(c.fd, buf_.data(), buf_.size(), 0);
    if (n > 0) {
      broker_.receive(*c.s, mqttconn::bytes(buf_.data(), static_cast<std::size_t>(n)), now);
      if (static_cast<std::size_t>(n) < buf_.size()) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    broker_.transport_closed(*c.s, n == 0 ? "connection closed by the client" : std::strerror(errno), now);
    c.dead = true;
    return;
  }
}

bool server::flush(client& c) {
  mqttconn::connection& conn = c.s->conn();
  while (conn.output_size() > 0) {
    mqttconn::bytes segs[16];
    iovec iov[16];
    const std::size_t n = conn.output_segments(segs);
    for (std::size_t i = 0; i < n; ++i) {
      iov[i].iov_base = const_cast<std::uint8_t*>(segs[i].data());
      iov[i].iov_len = segs[i].size();
    }
    const ssize_t w = ::writev(c.fd, iov, static_cast<int>(n));
    if (w > 0) {
      conn.consume_output(static_cast<std::size_t>(w));  // what the kernel took, maybe less
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    return w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  broker_.written(*c.s);
  return true;
}

void server::reap(millis now, bool all) {
  for (std::size_t i = clients_.size(); i-- > 0;) {
    client& c = clients_[i];
    if (!c.dead && c.s->output_size() > 0 && !flush(c)) {
      broker_.transport_closed(*c.s, "write failed", now);
      c.dead = true;
    }
    if (!c.s->closing && !c.dead) continue;
    if (c.closing_since.count() < 0) c.closing_since = now;
    const bool written = c.s->output_size() == 0;
    if (c.dead || written || all || now - c.closing_since > opts_.linger) {
      ::close(c.fd);
      broker_.release(*c.s);
      clients_[i] = clients_.back();
      clients_.pop_back();
    }
  }
}

void server::run(const volatile std::sig_atomic_t& stop) {
  millis next_tick = now_ms() + tick_every;
  while (stop == 0) {
    millis now = now_ms();
    if (now >= next_tick) {
      broker_.tick(now);
      next_tick = now + tick_every;
    }
    reap(now, false);
    fds_.clear();
    for (const client& c : clients_) {
      const std::size_t queued = c.s->output_size();
      short events = 0;
      if (!c.s->closing && queued <= opts_.read_pause) events |= POLLIN;
      if (queued > 0) events |= POLLOUT;
      fds_.push_back({c.fd, events, 0});
    }
    fds_.push_back({listen_fd_, static_cast<short>(now >= accept_paused_until_ ? POLLIN : 0), 0});
    const int timeout = static_cast<int>(std::max<millis::rep>(1, (next_tick - now).count()));
    const int ready = ::poll(fds_.data(), fds_.size(), timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      BROKER_LOG(log_, error, "poll: %s", std::strerror(errno));
      break;
    }
    now = now_ms();
    const std::size_t polled = fds_.size() - 1;  // clients_ may grow below
    for (std::size_t i = 0; i < polled; ++i) {
      const short re = fds_[i].revents;
      if (re == 0) continue;
      client& c = clients_[i];
      if (re & (POLLIN | POLLHUP | POLLERR)) read_from(c, now);  // recv reports EOF and errors
      if (!c.dead && (re & POLLOUT) && !flush(c)) {
        broker_.transport_closed(*c.s, "write failed", now);
        c.dead = true;
      }
    }
    if (fds_.back().revents & POLLIN) accept_all(now);
  }
  // Shutdown: tell the clients, give their last bytes a moment, close everything.
  BROKER_LOG(log_, info, "shutting down, %zu connection(s) open", clients_.size());
  broker_.shutdown();
  const millis deadline = now_ms() + millis(1000);
  for (;;) {
    const millis now = now_ms();
    reap(now, now >= deadline);
    if (clients_.empty()) break;
    fds_.clear();
    for (const client& c : clients_) fds_.push_back({c.fd, POLLOUT, 0});
    ::poll(fds_.data(), fds_.size(), 50);
  }
}

}  // namespace mqttbroker
