// Harness for connection tests: a client and a server connection on a fake link.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <vector>

#include "mqttconn/connection.hpp"

namespace mqttconn::test {

// Everything `from` has queued, written in chunks of `write_size` bytes (a transport taking
// part of what it is offered), concatenated.
inline std::vector<std::uint8_t> drain(connection& from, std::size_t write_size = SIZE_MAX) {
  std::vector<std::uint8_t> wire;
  while (from.output_size() > 0) {
    const bytes out = from.output();
    REQUIRE(!out.empty());
    const std::size_t n = std::min(out.size(), write_size);
    wire.insert(wire.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
    from.consume_output(n);
  }
  return wire;
}

// What feeding bytes to a connection produced.
struct delivery {
  std::size_t events = 0;
  std::optional<error> failure;
};

// Feeds `wire` to `to` in chunks of `chunk` bytes, calling on_event for every packet, until
// the bytes are used up or receive() fails.
inline delivery feed(connection& to, bytes wire, std::size_t chunk,
                     const std::function<void(const packet&)>& on_event) {
  delivery d;
  std::size_t pos = 0;
  while (pos < wire.size()) {
    bytes in = wire.subspan(pos, std::min(chunk, wire.size() - pos));
    while (!in.empty()) {
      const result<std::size_t> n = to.receive(in);
      if (!n) {
        d.failure = n.error();
        return d;
      }
      CHECK(*n <= in.size());
      in = in.subspan(*n);
      pos += *n;
      if (const packet* p = to.next_event()) {
        ++d.events;
        on_event(*p);
      }
    }
  }
  return d;
}

// Moves what `from` queued into `to` and returns the one packet it must hold, checked by `check`.
template <class P>
void transfer_one(connection& from, connection& to, const std::function<void(const P&)>& check) {
  const std::vector<std::uint8_t> wire = drain(from);
  std::size_t seen = 0;
  const delivery d = feed(to, wire, wire.size(), [&](const packet& p) {
    ++seen;
    const P* x = std::get_if<P>(&p);
    REQUIRE_MESSAGE(x != nullptr, "got a different packet kind");
    check(*x);
  });
  CHECK_FALSE(d.failure.has_value());
  if (d.failure) MESSAGE(d.failure->message());
  CHECK(seen == 1);
}

inline connection make_client() { return connection(connection_options{.role = role::client}); }
inline connection make_server() { return connection(connection_options{.role = role::server}); }

}  // namespace mqttconn::test
