#include "order_engine/fix_venue.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "fix_session.hpp"

namespace order_engine {
namespace {

// OrdStatus (39) values.
constexpr char kNew = '0';
constexpr char kPartiallyFilled = '1';
constexpr char kFilled = '2';
constexpr char kDoneForDay = '3';
constexpr char kCanceled = '4';
constexpr char kRejected = '8';
constexpr char kExpired = 'C';
// ExecType (150) values.
constexpr char kExecNew = '0';
constexpr char kExecTrade = 'F';
constexpr char kExecOrderStatus = 'I';
constexpr int kUnknownOrder = 5;  // OrdRejReason (103)

bool is_final(char order_status) {
  return order_status == kFilled || order_status == kCanceled || order_status == kRejected ||
         order_status == kExpired || order_status == kDoneForDay;
}

Price ticks(double dollars) { return std::llround(dollars * static_cast<double>(kTicksPerDollar)); }

OrderStatus status_of(char order_status) {
  switch (order_status) {
    case kFilled: return OrderStatus::Filled;
    case kCanceled: return OrderStatus::Cancelled;
    case kRejected: return OrderStatus::Rejected;
    case kExpired:
    case kDoneForDay: return OrderStatus::Expired;
    case kPartiallyFilled: return OrderStatus::PartiallyFilled;
    default: return OrderStatus::Resting;  // new or pending: still working
  }
}

std::string describe(const VenueOrder& order) {
  return "order " + std::string(order.client_order_id) + " (" + side_name(order.side) + " " +
         std::to_string(order.quantity) + " " + std::string(order.symbol_name) + ")";
}

}  // namespace

FixVenue::FixVenue(const FixVenueOptions& options) : options_(options) {
  fix_ = std::make_unique<fix::InitiatorSession>(
      options.settings_path,
      fix::SessionEvents{[this] { on_logon(); }, [this] { on_logout(); },
                         [this](const fix::ExecutionReport& report) { on_execution(report); }});
  fix_->start();
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, options_.logon_timeout, [this] { return logged_on_; })) {
    throw std::runtime_error("FIX session to " + counterparty() + " (settings " + options_.settings_path +
                             "): no Logon within " + std::to_string(options_.logon_timeout.count()) +
                             " ms; is the counterparty up, and do SenderCompID/TargetCompID and the credentials match?");
  }
}

FixVenue::~FixVenue() {
  fix_->logout();  // a Logout answered ends the session cleanly; a silent counterparty gets 2 s
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::seconds(2), [this] { return !logged_on_; });
}

const std::string& FixVenue::counterparty() const { return fix_->counterparty(); }

void FixVenue::on_logon() {
  const std::lock_guard lock(mutex_);
  logged_on_ = true;
  ++session_;
  changed_.notify_all();
}

void FixVenue::on_logout() {
  const std::lock_guard lock(mutex_);
  logged_on_ = false;
  changed_.notify_all();
}

void FixVenue::on_execution(const fix::ExecutionReport& report) {
  const std::lock_guard lock(mutex_);
  const auto waiting = waiting_.find(report.client_order_id);
  if (waiting == waiting_.end()) return;  // an answer nobody waits for any more (after a timeout)
  waiting->second.push_back(report);
  changed_.notify_all();
}

bool FixVenue::logged_on(std::unique_lock<std::mutex>& lock) {
  // A dropped session is usually back within QuickFIX's ReconnectInterval.
  return changed_.wait_for(lock, options_.logon_timeout, [this] { return logged_on_; });
}

template <typename Done>
std::vector<fix::ExecutionReport> FixVenue::await(const std::string& client_order_id, std::uint64_t session,
                                                  const std::string& what, Done done) {
  std::unique_lock lock(mutex_);
  const bool woken = changed_.wait_for(lock, options_.answer_timeout, [&] {
    return done(waiting_.at(client_order_id)) || session_ != session || !logged_on_;
  });
  std::vector<fix::ExecutionReport> reports = std::move(waiting_.at(client_order_id));
  waiting_.erase(client_order_id);
  if (done(reports)) return reports;
  throw VenueInDoubt(what + ": " +
                     (woken ? "the FIX session to " + counterparty() + " dropped"
                            : "no answer from " + counterparty() + " within " +
                                  std::to_string(options_.answer_timeout.count()) + " ms") +
                     " before the venue's final answer");
}

Quantity FixVenue::send(const VenueOrder& order, std::vector<VenueFill>& fills) {
  const std::string what = describe(order);
  const std::string client_order_id(order.client_order_id);
  if (client_order_id.empty()) {
    throw std::invalid_argument("FIX venue: an order without a client order id cannot be sent (use submit())");
  }
  std::uint64_t session = 0;
  {
    std::unique_lock lock(mutex_);
    if (!logged_on(lock)) throw VenueRejected("not sent: the FIX session to " + counterparty() + " is not logged on");
    session = session_;
    waiting_[client_order_id].clear();
  }
  const fix::NewOrderSingle message{client_order_id, std::string(order.symbol_name), order.side == Side::Buy,
                                    order.quantity, ticks_to_dollars(order.limit), order.rests};
  if (!fix_->send(message)) {
    const std::lock_guard lock(mutex_);
    waiting_.erase(client_order_id);
    throw VenueInDoubt(what + ": the FIX session to " + counterparty() + " failed while sending it");
  }
  const std::vector<fix::ExecutionReport> reports =
      await(client_order_id, session, what, [&](const std::vector<fix::ExecutionReport>& got) {
        return !got.empty() && (is_final(got.back().order_status) || (order.rests && got.back().exec_type == kExecNew));
      });
  const fix::ExecutionReport& last = reports.back();
  if (last.order_status == kRejected) {
    throw VenueRejected(counterparty() + " says: " + (last.text.empty() ? std::string("no reason given") : last.text));
  }
  for (const fix::ExecutionReport& report : reports) {
    if (report.exec_type == kExecTrade && report.last_quantity > 0) {
      fills.push_back(VenueFill{order.key, report.last_quantity, ticks(report.last_price)});
    }
  }
  return is_final(last.order_status) ? 0 : last.leaves_quantity;
}

std::optional<VenueOrderState> FixVenue::status(const VenueOrder& order) {
  const std::string what = "status request of " + describe(order);
  const std::string client_order_id(order.client_order_id);
  std::uint64_t session = 0;
  {
    std::unique_lock lock(mutex_);
    if (!logged_on(lock)) throw VenueInDoubt(what + ": the FIX session to " + counterparty() + " is not logged on");
    session = session_;
    waiting_[client_order_id].clear();
  }
  const auto answers = [](const fix::ExecutionReport& report) {
    return report.exec_type == kExecOrderStatus || report.reject_reason == kUnknownOrder;
  };
  if (!fix_->send(fix::OrderStatusRequest{client_order_id, std::string(order.symbol_name), order.side == Side::Buy})) {
    const std::lock_guard lock(mutex_);
    waiting_.erase(client_order_id);
    throw VenueInDoubt(what + ": the FIX session to " + counterparty() + " failed while sending it");
  }
  // Late reports of the order itself (a resend after the reconnect) may come first.
  const std::vector<fix::ExecutionReport> reports =
      await(client_order_id, session, what, [&](const std::vector<fix::ExecutionReport>& got) {
        return std::any_of(got.begin(), got.end(), answers);
      });
  const fix::ExecutionReport& answer = *std::find_if(reports.rbegin(), reports.rend(), answers);
  if (answer.reject_reason == kUnknownOrder) return VenueOrderState{};
  return VenueOrderState{true, status_of(answer.order_status), answer.cumulative_quantity, ticks(answer.average_price)};
}

void FixVenue::set_reference_price(SymbolId, Price) {}  // the venue's market is its own

Quantity FixVenue::cancel(const VenueOrder& order) {
  const std::string what = "cancel of " + describe(order);
  const std::string cancel_id = std::string(order.client_order_id) + "-X";  // a cancel has a ClOrdID of its own
  std::uint64_t session = 0;
  {
    std::unique_lock lock(mutex_);
    if (!logged_on(lock)) throw std::runtime_error(what + ": the FIX session to " + counterparty() + " is not logged on");
    session = session_;
    waiting_[cancel_id].clear();
  }
  if (!fix_->send(fix::OrderCancelRequest{cancel_id, std::string(order.client_order_id), std::string(order.symbol_name),
                                          order.side == Side::Buy, order.quantity})) {
    const std::lock_guard lock(mutex_);
    waiting_.erase(cancel_id);
    throw VenueInDoubt(what + ": the FIX session to " + counterparty() + " failed while sending it");
  }
  const std::vector<fix::ExecutionReport> reports =
      await(cancel_id, session, what, [](const std::vector<fix::ExecutionReport>& got) {
        return !got.empty() && (got.back().cancel_rejected || is_final(got.back().order_status));
      });
  const fix::ExecutionReport& last = reports.back();
  if (last.cancel_rejected) {
    throw std::runtime_error(what + ": " + counterparty() + " refused it (order status " +
                             std::string(1, last.order_status) + "): " + last.text);
  }
  // Fills of a resting order come unasked, and this synchronous venue does not book them.
  const Quantity unbooked = order.quantity - (last.order_quantity - last.cumulative_quantity);
  if (last.order_quantity > 0 && unbooked > 0) {
    throw VenueInDoubt(what + ": cancelled, but " + counterparty() + " had filled " + std::to_string(unbooked) +
                       " more shares of it than the engine booked");
  }
  return order.quantity;
}

BookTop FixVenue::top(SymbolId) const {
  const double none = std::numeric_limits<double>::quiet_NaN();
  return BookTop{none, 0, none, 0};  // no market data session
}

}  // namespace order_engine
