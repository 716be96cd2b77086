#include "order_engine/order.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace order_engine {

bool try_price_to_ticks(double dollars, Price& ticks) {
  // The negated comparison also refuses NaN.
  if (!(dollars >= 0.5 / kTicksPerDollar && dollars <= kMaxPriceDollars)) return false;
  ticks = static_cast<Price>(std::llround(dollars * kTicksPerDollar));
  return true;
}

Price price_to_ticks(double dollars, std::string_view what) {
  Price ticks = 0;
  if (!try_price_to_ticks(dollars, ticks)) {
    char text[160];
    std::snprintf(text, sizeof text, ": price %.10g dollars is not a number from one tick (0.0001) to %.0f",
                  dollars, kMaxPriceDollars);
    throw std::invalid_argument(std::string(what) + text);
  }
  return ticks;
}

void check_quantity(Quantity quantity, std::string_view what) {
  if (quantity < 1 || quantity > kMaxOrderQuantity) {
    throw std::invalid_argument(std::string(what) + ": quantity " + std::to_string(quantity) +
                                " is outside 1.." + std::to_string(kMaxOrderQuantity) + " shares");
  }
}

void check_identifier(std::string_view value, std::string_view what) {
  bool printable = !value.empty() && value.size() <= kMaxIdentifierLength;
  for (const char c : value) {
    printable = printable && c > ' ' && c < 127;
  }
  if (!printable) {
    throw std::invalid_argument(std::string(what) + " '" + std::string(value.substr(0, 80)) +
                                "' must be 1.." + std::to_string(kMaxIdentifierLength) +
                                " printable ASCII characters without spaces");
  }
}

void check_enums(Side side, OrderType type, TimeInForce time_in_force, std::string_view what) {
  if (static_cast<unsigned>(side) > 1 || static_cast<unsigned>(type) > 1 ||
      static_cast<unsigned>(time_in_force) > 1) {
    throw std::invalid_argument(std::string(what) + ": side, type or time in force out of range (side " +
                                std::to_string(static_cast<unsigned>(side)) + ", type " +
                                std::to_string(static_cast<unsigned>(type)) + ", time in force " +
                                std::to_string(static_cast<unsigned>(time_in_force)) +
                                "; expected 0 or 1 each)");
  }
}

const char* side_name(Side side) { return side == Side::Buy ? "BUY" : "SELL"; }

const char* order_type_name(OrderType type) { return type == OrderType::Market ? "MARKET" : "LIMIT"; }

const char* time_in_force_name(TimeInForce time_in_force) {
  return time_in_force == TimeInForce::Day ? "DAY" : "IOC";
}

const char* order_status_name(OrderStatus status) {
  switch (status) {
    case OrderStatus::Filled: return "FILLED";
    case OrderStatus::PartiallyFilled: return "PARTIALLY_FILLED";
    case OrderStatus::Resting: return "RESTING";
    case OrderStatus::Cancelled: return "CANCELLED";
    case OrderStatus::Expired: return "EXPIRED";
    case OrderStatus::Rejected: return "REJECTED";
    case OrderStatus::Duplicate: return "DUPLICATE";
    case OrderStatus::InDoubt: return "IN_DOUBT";
  }
  return "UNKNOWN";
}

}  // namespace order_engine
