// The FIX venue: orders to a broker or exchange over a FIX 4.4 initiator session
// (QuickFIX), behind the Venue interface. Built only when CMake finds QuickFIX
// (ORDER_ENGINE_WITH_FIX).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "order_engine/venue.hpp"

namespace order_engine {

namespace fix {
struct ExecutionReport;
class InitiatorSession;
}  // namespace fix

struct FixVenueOptions {
  std::string settings_path;  // a QuickFIX settings file, as config/fix/session.cfg.example
  std::chrono::milliseconds logon_timeout{10000};
  std::chrono::milliseconds answer_timeout{5000};  // per order or status request
};

/// Each order goes out as a NewOrderSingle (limit, DAY or IOC) whose ClOrdID is the
/// engine's client order id; send() waits for the order to be final (IOC) or
/// acknowledged (DAY). A timeout or a dropped session while waiting throws
/// VenueInDoubt, a venue's reject VenueRejected; an order finding the session down
/// waits up to the logon timeout for it to be back, then is VenueRejected (not sent). The venue keeps its own market: no
/// reference prices, no book top.
class FixVenue final : public Venue {
 public:
  /// Connects and waits for the Logon; throws std::runtime_error naming host:port on a timeout.
  explicit FixVenue(const FixVenueOptions& options);
  ~FixVenue() override;
  FixVenue(const FixVenue&) = delete;
  FixVenue& operator=(const FixVenue&) = delete;

  void set_reference_price(SymbolId symbol, Price reference) override;
  [[nodiscard]] Quantity send(const VenueOrder& order, std::vector<VenueFill>& fills) override;
  /// An OrderCancelRequest (ClOrdID <id>-X); throws std::runtime_error naming the order
  /// when the venue refuses it, VenueInDoubt when it does not answer or had filled
  /// shares the engine never saw (reconcile() books them).
  [[nodiscard]] Quantity cancel(const VenueOrder& order) override;
  [[nodiscard]] BookTop top(SymbolId symbol) const override;
  /// An OrderStatusRequest; an order the venue does not know comes back !known.
  [[nodiscard]] std::optional<VenueOrderState> status(const VenueOrder& order) override;

  /// "host:port" of the FIX counterparty.
  [[nodiscard]] const std::string& counterparty() const;

 private:
  void on_logon();
  void on_logout();
  void on_execution(const fix::ExecutionReport& report);
  /// Waits up to the logon timeout for the session to be logged on (again).
  [[nodiscard]] bool logged_on(std::unique_lock<std::mutex>& lock);
  /// Waits until `done` holds for the reports of `client_order_id`, then takes them;
  /// throws VenueInDoubt naming `what` on a timeout or a dropped session.
  template <typename Done>
  [[nodiscard]] std::vector<fix::ExecutionReport> await(const std::string& client_order_id, std::uint64_t session,
                                                        const std::string& what, Done done);

  FixVenueOptions options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool logged_on_ = false;
  std::uint64_t session_ = 0;  // counts logons: a different value means the session dropped meanwhile
  std::unordered_map<std::string, std::vector<fix::ExecutionReport>> waiting_;  // reports so far, by ClOrdID
  std::unique_ptr<fix::InitiatorSession> fix_;  // last: stopped before the state its callbacks touch
};

}  // namespace order_engine
