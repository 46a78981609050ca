// The exception firewall and the error bookkeeping every C handle shares.
//
// No exception crosses the C API: each entry point that can throw (all that may allocate) runs
// its body through guarded(), which catches everything, maps std::bad_alloc to
// MQTTCONN_ERR_NOMEM and anything else to MQTTCONN_ERR_INTERNAL, and marks the handle failed so
// that every later call but free returns that code. Inside, only allocation can throw (the C++
// API reports everything else as values), so a fatal code means the allocator said no (or
// threw), or a bug.
#pragma once

#include <cstddef>
#include <new>

#include "mqttconn.h"
#include "mqttconn/result.hpp"

namespace mqttconn::capi {

// The C code of a C++ error code.
int code_of(errc e) noexcept;

// The first problem found in a caller's argument or struct, before any C++ call.
struct mistake {
  int code = MQTTCONN_OK;
  const char* field = "";
  const char* what = "";
  int set(int c, const char* f, const char* w) noexcept {
    code = c;
    field = f;
    what = w;
    return c;
  }
};

// What a handle remembers about failures: the fatal code, and the last failed call.
struct status {
  int fatal = 0;       // MQTTCONN_ERR_NOMEM / INTERNAL once failed, else 0
  int last_code = 0;   // 0: no call has failed yet
  error last{};

  // Records the C++ error `e` as the last failure and returns its C code.
  int failed(const error& e) noexcept {
    last_code = code_of(e.code);
    last = e;
    return last_code;
  }
  int failed(const mistake& m) noexcept {
    last_code = m.code;
    last = error{};
    last.reason_code = 0;
    last.field = m.field;
    last.what = m.what;
    return last_code;
  }
  int failed(int code, const char* field, const char* what) noexcept {
    mistake m;
    m.set(code, field, what);
    return failed(m);
  }
  int die(int code) noexcept {
    fatal = code;
    return failed(code, "library", code == MQTTCONN_ERR_NOMEM ? "could not allocate memory" : "failed internally");
  }
};

// Runs f() (returning a C code) for a handle: fatal handles short-circuit, exceptions become
// fatal codes.
template <class F>
int guarded(status& s, F&& f) noexcept {
  if (s.fatal != 0) return s.fatal;
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return s.die(MQTTCONN_ERR_NOMEM);
  } catch (...) {
    return s.die(MQTTCONN_ERR_INTERNAL);
  }
}

// For entry points without a handle (or with a const one, which cannot be marked failed).
template <class F>
int guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return MQTTCONN_ERR_NOMEM;
  } catch (...) {
    return MQTTCONN_ERR_INTERNAL;
  }
}

// Fills the caller's mqttconn_error from `code` and `e`, writing at most err->struct_size bytes.
int fill_error(mqttconn_error* err, int code, const error& e) noexcept;

// The size of each growing struct in the first release (0.1.0), below which struct_size is
// refused. It is sizeof today; pin it to the number before the first member is appended, and
// from then on read members past it only when struct_size covers them.
template <class S>
inline constexpr std::size_t first_release_size = sizeof(S);

// Checks a caller's growing struct: non-NULL and struct_size at least the first release's.
template <class S>
int check_struct(const S* s, const char* field, mistake& m) noexcept {
  if (s == nullptr) return m.set(MQTTCONN_ERR_ARGUMENT, field, "is NULL");
  if (s->struct_size < first_release_size<S>) {
    return m.set(MQTTCONN_ERR_STRUCT_SIZE, field, "has a struct_size below the first release's");
  }
  return MQTTCONN_OK;
}

}  // namespace mqttconn::capi
