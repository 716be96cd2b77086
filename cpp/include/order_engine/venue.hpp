// Where orders go: the Venue interface, with the paper venue as the default and any
// live venue as an adapter behind the same interface.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "order_engine/order.hpp"

namespace order_engine {

/// An order as sent to a venue: the engine's key, the price it may trade at (a market
/// order carries its collar protection price) and whether the remainder rests.
struct VenueOrder {
  OrderKey key = 0;
  SymbolId symbol = 0;
  Side side = Side::Buy;
  Price limit = 0;
  Quantity quantity = 0;
  bool rests = false;  // DAY limit orders rest; IOC and market remainders are cancelled
  std::string_view client_order_id;  // empty for journal-less batch orders; a live venue needs it
  std::string_view symbol_name;      // the venue's symbol, which a live venue sends
};

/// What a venue reports of an order it was asked about (reconciliation after a crash).
struct VenueOrderState {
  bool known = false;       // false: the venue never received the order
  OrderStatus status = OrderStatus::Rejected;  // Filled, Cancelled, Expired, Rejected, or Resting/PartiallyFilled if working
  Quantity filled = 0;      // shares, in all
  Price average_price = 0;  // ticks, of all its fills (0 without fills)
};

/// Thrown by send() when the order may have reached the venue but its outcome is
/// unknown (a timeout, a dropped connection): the engine leaves it in doubt.
class VenueInDoubt : public std::runtime_error {
 public:
  explicit VenueInDoubt(const std::string& what) : std::runtime_error(what) {}
};

/// Thrown by send() when the venue refused the order: it never traded.
class VenueRejected : public std::runtime_error {
 public:
  explicit VenueRejected(const std::string& what) : std::runtime_error(what) {}
};

/// One execution of one of our orders (the one sent, or a resting one it met).
struct VenueFill {
  OrderKey order = 0;
  Quantity quantity = 0;
  Price price = 0;
};

/// Best bid and ask of a symbol, in dollars (NaN and 0 shares for an empty side).
struct BookTop {
  double bid_price;
  Quantity bid_quantity;
  double ask_price;
  Quantity ask_quantity;
};

class Venue {
 public:
  virtual ~Venue() = default;
  /// Opens a symbol's market, or moves it, around a reference price (ticks).
  virtual void set_reference_price(SymbolId symbol, Price reference) = 0;
  /// Sends an order; appends the fills of our orders it caused to `fills`. Returns
  /// the shares left resting (0 unless order.rests).
  [[nodiscard]] virtual Quantity send(const VenueOrder& order, std::vector<VenueFill>& fills) = 0;
  /// Cancels a resting order; returns the shares removed. Throws VenueInDoubt when what
  /// became of it is unknown (the engine then holds it in doubt).
  [[nodiscard]] virtual Quantity cancel(const VenueOrder& order) = 0;
  [[nodiscard]] virtual BookTop top(SymbolId symbol) const = 0;
  /// Asks the venue what became of an order (its client order id, symbol and side);
  /// nothing if the venue cannot tell.
  [[nodiscard]] virtual std::optional<VenueOrderState> status(const VenueOrder& order) = 0;
};

}  // namespace order_engine
