// Kept apart from the socket code: the shared printer names packet kinds unqualified, which
// <sys/socket.h>'s connect() would make ambiguous.
#include "describe.hpp"

#include "../packet_printer.hpp"

namespace client {

std::string describe(const mqttconn::packet& p) {
  const auto* pub = std::get_if<mqttconn::publish>(&p);
  if (pub == nullptr || pub->payload.size() <= 64) return demo::describe(p);
  // A large payload is shown by its start and its size, not in full.
  mqttconn::publish head = *pub;
  head.payload = mqttconn::binary(pub->payload.data(), 64);
  return demo::describe(head) + "... (" + std::to_string(pub->payload.size()) + " bytes)";
}

}  // namespace client
