// The allocator bridge: a std::pmr::memory_resource over the C API's mqttconn_allocator.
//
// Every allocation a C handle makes goes through one of these: the handle itself, the
// connection's buffers (the connection and stream_decoder take a memory_resource*), and the
// arrays the C layer keeps for events. allocate() maps to alloc(size, align, user) and throws
// std::bad_alloc when it returns NULL; capi/guard.hpp turns that into MQTTCONN_ERR_NOMEM.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <new>
#include <utility>

#include "mqttconn.h"

namespace mqttconn::detail {

class allocator_resource final : public std::pmr::memory_resource {
 public:
  // `hooks` NULL: malloc/free (aligned_alloc for alignments above max_align_t). The hooks are
  // copied. Precondition: a non-NULL `hooks` has both functions (see valid_allocator()).
  explicit allocator_resource(const mqttconn_allocator* hooks) noexcept;

  const mqttconn_allocator& hooks() const noexcept { return hooks_; }

 private:
  void* do_allocate(std::size_t size, std::size_t align) override;
  void do_deallocate(void* p, std::size_t size, std::size_t align) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;

  mqttconn_allocator hooks_;
};

// The default hooks (malloc/free) as a resource, for allocations without a handle (the long
// lists of mqttconn_encode()). Stateless, like std::pmr::new_delete_resource().
std::pmr::memory_resource* malloc_resource() noexcept;

// NULL (the default) or both functions set.
inline bool valid_allocator(const mqttconn_allocator* a) noexcept {
  return a == nullptr || (a->alloc != nullptr && a->free != nullptr);
}

// A handle that holds its own allocator_resource, allocated from that same allocator:
// T(const mqttconn_allocator*, args...) must build its resource from the hooks, and
// T::resource() must return it. Throws std::bad_alloc (nothing leaks).
template <class T, class... Args>
T* new_handle(const mqttconn_allocator* hooks, Args&&... args) {
  allocator_resource mr(hooks);
  void* mem = mr.allocate(sizeof(T), alignof(T));
  try {
    return ::new (mem) T(hooks, std::forward<Args>(args)...);
  } catch (...) {
    mr.deallocate(mem, sizeof(T), alignof(T));
    throw;
  }
}

// Destroys a handle made by new_handle() and gives its memory back through a copy of its
// hooks (the handle's own resource dies with it).
template <class T>
void delete_handle(T* h) noexcept {
  if (h == nullptr) return;
  const mqttconn_allocator hooks = h->resource().hooks();
  h->~T();
  allocator_resource(&hooks).deallocate(h, sizeof(T), alignof(T));
}

}  // namespace mqttconn::detail
