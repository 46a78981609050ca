// The words mosquitto prints for CONNACK return codes (3.x) and reason codes (5.0), so that
// scripts matching mosquitto_pub/mosquitto_sub's messages keep working.
#pragma once

#include <cstdint>

namespace client {

// 3.1 and 3.1.1 CONNACK return codes, as libmosquitto's mosquitto_connack_string().
inline const char* connack_string(std::uint8_t rc) {
  switch (rc) {
    case 0: return "Connection Accepted.";
    case 1: return "Connection Refused: unacceptable protocol version.";
    case 2: return "Connection Refused: identifier rejected.";
    case 3: return "Connection Refused: broker unavailable.";
    case 4: return "Connection Refused: bad user name or password.";
    case 5: return "Connection Refused: not authorised.";
    default: return "Connection Refused: unknown reason.";
  }
}

// 5.0 reason codes, as libmosquitto's mosquitto_reason_string().
inline const char* reason_string(std::uint8_t rc) {
  switch (rc) {
    case 0x00: return "Success";
    case 0x04: return "Disconnect with Will Message";
    case 0x80: return "Unspecified error";
    case 0x81: return "Malformed Packet";
    case 0x82: return "Protocol Error";
    case 0x83: return "Implementation specific error";
    case 0x84: return "Unsupported Protocol Version";
    case 0x85: return "Client Identifier not valid";
    case 0x86: return "Bad User Name or Password";
    case 0x87: return "Not authorized";
    case 0x88: return "Server unavailable";
    case 0x89: return "Server busy";
    case 0x8A: return "Banned";
    case 0x8B: return "Server shutting down";
    case 0x8C: return "Bad authentication method";
    case 0x8D: return "Keep Alive timeout";
    case 0x8E: return "Session taken over";
    case 0x8F: return "Topic Filter invalid";
    case 0x90: return "Topic Name invalid";
    case 0x93: return "Receive Maximum exceeded";
    case 0x94: return "Topic Alias invalid";
    case 0x95: return "Packet too large";
    case 0x96: return "Message rate too high";
    case 0x97: return "Quota exceeded";
    case 0x98: return "Administrative action";
    case 0x99: return "Payload format invalid";
    case 0x9A: return "Retain not supported";
    case 0x9B: return "QoS not supported";
    case 0x9C: return "Use another server";
    case 0x9D: return "Server moved";
    case 0x9E: return "Shared Subscriptions not supported";
    case 0x9F: return "Connection rate exceeded";
    case 0xA0: return "Maximum connect time";
    case 0xA1: return "Subscription identifiers not supported";
    case 0xA2: return "Wildcard Subscriptions not supported";
    default: return "Unknown reason";
  }
}

}  // namespace client
