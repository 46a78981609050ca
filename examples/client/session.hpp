// One MQTT client session over a TCP socket: the event loop around mqttconn::connection.
//
// Blocking in the caller's eyes, poll() inside: send() returns once the socket took the
// packet (reading ahead meanwhile, so neither side can stall on a full buffer), wait()
// returns the next packet from the server. Keep-alive is handled here, as the connection
// leaves it to its caller: after keep_alive seconds without sending anything the session sends
// PINGREQ, and a PINGRESP that does not come within keep_alive seconds more ends the session
// with exit code 19 (mosquitto's MOSQ_ERR_KEEPALIVE).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqttconn/connection.hpp"
#include "options.hpp"

namespace client {

// Exit codes, as mosquitto_pub/mosquitto_sub use them (libmosquitto's MOSQ_ERR_*), besides a
// refusing CONNACK's own code.
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;
inline constexpr int exit_protocol = 2;      // MOSQ_ERR_PROTOCOL
inline constexpr int exit_conn_lost = 7;     // MOSQ_ERR_CONN_LOST
inline constexpr int exit_keepalive = 19;    // MOSQ_ERR_KEEPALIVE
inline constexpr int exit_timeout = 27;      // MOSQ_ERR_TIMEOUT

using clock = std::chrono::steady_clock;

class session {
 public:
  explicit session(const options& o);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Resolves and connects the socket, sends CONNECT and waits for CONNACK. Returns 0 or the
  // exit code, having printed why (a refusing CONNACK's code is the exit code, as mosquitto).
  int open();

  // Queues and writes one packet. Ends the views of the packet last returned by wait().
  // Returns 0 or an exit code (message printed).
  int send(const mqttconn::packet& p);

  enum class status : std::uint8_t { packet, timeout, failed };
  // The next packet from the server other than PINGRESP, or timeout at `deadline`. On failed,
  // the exit code is in exit_code() and the reason has been printed. The packet's views live
  // until the next call of send() or wait().
  status wait(const mqttconn::packet*& out, std::optional<clock::time_point> deadline);

  // Sends DISCONNECT (with the -D disconnect properties) and closes the socket.
  void close();

  int exit_code() const { return exit_code_; }
  mqttconn::protocol_version version() const { return opts_.version; }
  // The Receive Maximum the server gave (65535 when it gave none, or before 5.0).
  std::uint16_t server_receive_maximum() const { return server_receive_max_; }
  std::uint16_t next_packet_id();
  const std::string& client_id() const { return client_id_; }

 private:
  int fail(int code, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  void debug(const char* dir, const mqttconn::packet& p) const;
  int flush();
  bool read_some();  // false: closed or failed (exit_code_ set)
  int keep_alive_due(clock::time_point now);

  const options& opts_;
  mqttconn::connection conn_;
  int fd_ = -1;
  std::string client_id_;
  std::vector<std::uint8_t> in_;  // received bytes in [in_start_, in_end_)
  std::size_t in_start_ = 0, in_end_ = 0;
  clock::time_point last_sent_;
  std::optional<clock::time_point> ping_sent_;
  std::uint16_t server_receive_max_ = 65535;
  std::uint16_t next_id_ = 0;
  std::uint16_t keep_alive_;  // the CONNECT's, or the server's Server Keep Alive (5.0)
  int exit_code_ = 0;
};

}  // namespace client
