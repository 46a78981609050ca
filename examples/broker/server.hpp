// server: the broker on TCP sockets. One thread, one poll(), non-blocking sockets.
//
// Each loop: write what the sessions queued (writev over the connection's output segments,
// consuming what the kernel took; partial writes are normal), close the transports of
// sessions that are closing once their output is out (or after a linger time), poll, then
// read. A client whose output queue is above `read_pause` bytes is not read from until it
// drains: a publisher that does not read its acknowledgements is slowed down instead of
// being buffered for without bound. Keep-alive is checked every 250 ms.
#pragma once

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include <poll.h>

#include "broker.hpp"
#include "log.hpp"

namespace mqttbroker {

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 1883;  // 0: any free port
  std::size_t read_pause = std::size_t{1} << 20;
  millis linger{2000};  // longest wait for a closing session's last bytes to go out
};

class server {
 public:
  server(const server_options& o, broker& b, const logger& log);
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  ~server();

  // Binds and listens; false with `error` set on failure.
  bool listen(std::string& error);
  // The bound port (the chosen one after port 0).
  std::uint16_t port() const noexcept { return port_; }
  // "127.0.0.1:1883"
  std::string endpoint() const;
  // Serves until `stop` becomes non-zero (a signal handler sets it), then closes every
  // connection (5.0 clients get DISCONNECT 0x8B) and returns.
  void run(const volatile std::sig_atomic_t& stop);

 private:
  struct client {
    int fd;
    session* s;
    bool dead = false;       // the transport failed: close now
    millis closing_since{-1};
  };
  void accept_all(millis now);
  void read_from(client& c, millis now);
  bool flush(client& c);
  void reap(millis now, bool all);

  server_options opts_;
  broker& broker_;
  const logger& log_;
  int listen_fd_ = -1;
  millis accept_paused_until_{0};  // out of descriptors: do not spin on a readable listener
  std::uint16_t port_ = 0;
  std::vector<client> clients_;
  std::vector<pollfd> fds_;
  std::vector<std::uint8_t> buf_;  // one read buffer for every client
};

}  // namespace mqttbroker
