// Orders and fills as plain values: what a client asks for, what the venue reports.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace order_engine {

/// Shares. Signed where it is a position: long > 0, short < 0.
using Quantity = std::int64_t;
/// Price in ticks of 1/10,000 dollar, so the book matches on exact integers.
using Price = std::int64_t;
/// Dense index of a symbol inside one engine.
using SymbolId = std::int32_t;
/// Engine-assigned order number; the paper venue's simulated liquidity has the top bit set.
using OrderKey = std::uint64_t;

inline constexpr Price kTicksPerDollar = 10000;
/// Structural bounds of the input edge (not risk limits): above any listed share price
/// and any sane order, so larger values are typing errors, never trades.
inline constexpr double kMaxPriceDollars = 1e7;
inline constexpr Quantity kMaxOrderQuantity = 1000000000;
inline constexpr std::size_t kMaxIdentifierLength = 64;

enum class Side : std::uint8_t { Buy = 0, Sell = 1 };
enum class OrderType : std::uint8_t { Market = 0, Limit = 1 };
/// DAY rests until end_of_day(); IOC cancels whatever does not fill at once.
enum class TimeInForce : std::uint8_t { Day = 0, Ioc = 1 };

enum class OrderStatus : std::uint8_t {
  Filled = 0,
  PartiallyFilled = 1,  // some shares filled, the rest resting in the book
  Resting = 2,          // nothing filled yet, resting in the book
  Cancelled = 3,        // IOC/market remainder or an explicit cancel; may have fills
  Expired = 4,          // DAY remainder removed at end of day; may have fills
  Rejected = 5,         // refused by a risk check: never sent
  Duplicate = 6,        // client order id already journalled: never sent again
  InDoubt = 7,          // journalled as sent, outcome unknown after a crash
};

/// An order as a client asks for it (the Python-facing shape).
struct NewOrder {
  std::string client_order_id;
  std::string symbol;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce time_in_force = TimeInForce::Day;
  Quantity quantity = 0;      // shares, > 0
  double limit_price = 0.0;   // dollars; ignored for market orders
};

/// The engine's view of one order: no strings, so the hot path never allocates.
struct OrderRequest {
  SymbolId symbol = 0;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce time_in_force = TimeInForce::Day;
  Quantity quantity = 0;
  Price limit_price = 0;  // ticks; 0 for market orders
};

/// One execution of one of our orders.
struct Fill {
  std::string client_order_id;
  std::string symbol;
  Side side = Side::Buy;
  Quantity quantity = 0;  // shares
  double price = 0.0;     // dollars
};

[[nodiscard]] constexpr double ticks_to_dollars(Price ticks) {
  return static_cast<double>(ticks) / static_cast<double>(kTicksPerDollar);
}

/// Dollars -> ticks (nearest). Throws std::invalid_argument naming `what` for NaN,
/// infinities, non-positive values, values above kMaxPriceDollars or below one tick.
[[nodiscard]] Price price_to_ticks(double dollars, std::string_view what);
/// The same check without throwing, for batch rows: false leaves `ticks` unchanged.
[[nodiscard]] bool try_price_to_ticks(double dollars, Price& ticks);

/// Throws std::invalid_argument unless 1 <= quantity <= kMaxOrderQuantity.
void check_quantity(Quantity quantity, std::string_view what);

/// Throws std::invalid_argument unless `value` is 1..64 printable ASCII characters
/// without spaces (ids and symbols go into the journal's tab-separated records).
void check_identifier(std::string_view value, std::string_view what);

/// Throws std::invalid_argument for enum values a caller cast from a bad integer.
void check_enums(Side side, OrderType type, TimeInForce time_in_force, std::string_view what);

[[nodiscard]] const char* side_name(Side side);
[[nodiscard]] const char* order_type_name(OrderType type);
[[nodiscard]] const char* time_in_force_name(TimeInForce time_in_force);
[[nodiscard]] const char* order_status_name(OrderStatus status);

/// +1 for buys, -1 for sells: the sign a fill adds to a position.
[[nodiscard]] constexpr Quantity side_sign(Side side) { return side == Side::Buy ? 1 : -1; }

}  // namespace order_engine
