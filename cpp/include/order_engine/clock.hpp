// The engine's time source: the coarse monotonic clock, or a manual one for tests
// and replays.
#pragma once

#include <time.h>

#include <cstdint>
#include <stdexcept>

namespace order_engine {

/// Nanoseconds on the engine clock (monotonic; not wall time).
using Nanos = std::int64_t;

class Clock {
 public:
  /// manual = true: time moves only through advance(), so throttles are testable.
  explicit Clock(bool manual = false) : manual_(manual) {}

  /// The coarse clock ticks every few milliseconds, plenty for a per-second throttle,
  /// and costs a fraction of a precise reading on the hot path.
  [[nodiscard]] Nanos now() const {
    if (manual_) return manual_now_;
    timespec time{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &time);
    return static_cast<Nanos>(time.tv_sec) * 1000000000 + time.tv_nsec;
  }

  void advance(Nanos by) {
    if (!manual_) throw std::logic_error("advance_clock: the engine runs on the system clock, not a manual one");
    if (by < 0) throw std::invalid_argument("advance_clock: time cannot go backwards");
    manual_now_ += by;
  }

 private:
  bool manual_;
  Nanos manual_now_ = 0;
};

}  // namespace order_engine
