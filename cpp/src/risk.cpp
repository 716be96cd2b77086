#include "order_engine/risk.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace order_engine {
namespace {

void check_positive(double value, const char* name) {
  if (!std::isfinite(value) || value <= 0.0) {
    throw std::invalid_argument(std::string("risk limit ") + name + " must be a positive finite number, got " +
                                std::to_string(value));
  }
}

RiskVerdict breach(RejectReason reason, double value, double limit) { return {reason, value, limit}; }

}  // namespace

void check_limits(const RiskLimits& limits) {
  check_positive(static_cast<double>(limits.max_order_quantity), "max_order_quantity");
  check_positive(limits.max_order_notional, "max_order_notional");
  check_positive(static_cast<double>(limits.max_position_quantity), "max_position_quantity");
  check_positive(limits.max_position_notional, "max_position_notional");
  check_positive(limits.max_gross_exposure, "max_gross_exposure");
  check_positive(limits.price_collar, "price_collar");
  check_positive(limits.max_orders_per_second, "max_orders_per_second");
  if (limits.price_collar >= 1.0) {
    throw std::invalid_argument("risk limit price_collar is a fraction of the reference price and must be below 1, got " +
                                std::to_string(limits.price_collar));
  }
}

const char* reject_reason_name(RejectReason reason) {
  switch (reason) {
    case RejectReason::None: return "NONE";
    case RejectReason::MaxOrderQuantity: return "MAX_ORDER_QUANTITY";
    case RejectReason::MaxOrderNotional: return "MAX_ORDER_NOTIONAL";
    case RejectReason::MaxPosition: return "MAX_POSITION";
    case RejectReason::MaxGrossExposure: return "MAX_GROSS_EXPOSURE";
    case RejectReason::PriceCollar: return "PRICE_COLLAR";
    case RejectReason::OrderRate: return "ORDER_RATE";
    case RejectReason::TradingHalted: return "TRADING_HALTED";
    case RejectReason::ReduceOnly: return "REDUCE_ONLY";
    case RejectReason::InvalidOrder: return "INVALID_ORDER";
    case RejectReason::InDoubt: return "IN_DOUBT";
  }
  return "UNKNOWN";
}

const char* trading_state_name(TradingState state) {
  switch (state) {
    case TradingState::Active: return "ACTIVE";
    case TradingState::Reducing: return "REDUCING";
    case TradingState::Halted: return "HALTED";
  }
  return "UNKNOWN";
}

Quantity worst_case_shares(Quantity position, Quantity open_buy, Quantity open_sell) {
  return std::max(std::llabs(position + open_buy), std::llabs(position - open_sell));
}

Quantity RiskContext::worst_position() const {
  return side == Side::Buy ? position + open_buy + quantity : position - open_sell - quantity;
}

double RiskContext::symbol_exposure_after() const {
  const Quantity buys = open_buy + (side == Side::Buy ? quantity : 0);
  const Quantity sells = open_sell + (side == Side::Sell ? quantity : 0);
  return static_cast<double>(worst_case_shares(position, buys, sells)) * ticks_to_dollars(reference_price);
}

std::string describe(const RiskVerdict& verdict) {
  const char* format = "%s: %s %.2f exceeds the limit %.2f";
  const char* measure = "";
  switch (verdict.reason) {
    case RejectReason::None: return "passed";
    case RejectReason::MaxOrderQuantity:
      measure = "order quantity (shares)";
      format = "%s: %s %.0f exceeds the limit %.0f";
      break;
    case RejectReason::MaxOrderNotional: measure = "order notional at its worst price (dollars)"; break;
    case RejectReason::MaxPosition: measure = "worst-case position (|shares|, or dollars at reference)"; break;
    case RejectReason::MaxGrossExposure: measure = "gross exposure after the order (dollars at reference)"; break;
    case RejectReason::PriceCollar:
      measure = "limit price distance from the reference (fraction)";
      format = "%s: %s %.6f exceeds the limit %.6f";
      break;
    case RejectReason::OrderRate:
      measure = "orders in one second";
      format = "%s: %s %.0f exceeds the limit %.0f";
      break;
    case RejectReason::TradingHalted: return "TRADING_HALTED: kill switch is HALTED, no orders accepted";
    case RejectReason::ReduceOnly:
      return "REDUCE_ONLY: kill switch is REDUCING, only orders that shrink the position without flipping it";
    case RejectReason::InvalidOrder: return "INVALID_ORDER: malformed order";
    case RejectReason::InDoubt: return "IN_DOUBT: an earlier order in the symbol is in doubt";
  }
  char text[200];
  std::snprintf(text, sizeof text, format, reject_reason_name(verdict.reason), measure, verdict.value,
                verdict.limit);
  return text;
}

RiskVerdict MaxOrderQuantity::validate(const RiskContext& order) const {
  if (order.quantity <= limit_) return {};
  return breach(RejectReason::MaxOrderQuantity, static_cast<double>(order.quantity), static_cast<double>(limit_));
}

RiskVerdict MaxOrderNotional::validate(const RiskContext& order) const {
  const double notional = static_cast<double>(order.quantity) * ticks_to_dollars(order.order_price);
  if (notional <= limit_) return {};
  return breach(RejectReason::MaxOrderNotional, notional, limit_);
}

RiskVerdict MaxPosition::validate(const RiskContext& order) const {
  // An order that shrinks the worst case passes even above a limit (say after a
  // limit was lowered): it is how a position gets back inside.
  const Quantity before = std::llabs(order.side == Side::Buy ? order.position + order.open_buy
                                                              : order.position - order.open_sell);
  const Quantity after = std::llabs(order.worst_position());
  if (after <= before) return {};
  if (after > max_quantity_) {
    return breach(RejectReason::MaxPosition, static_cast<double>(after), static_cast<double>(max_quantity_));
  }
  const double notional = static_cast<double>(after) * ticks_to_dollars(order.reference_price);
  if (notional > max_notional_) return breach(RejectReason::MaxPosition, notional, max_notional_);
  return {};
}

RiskVerdict MaxGrossExposure::validate(const RiskContext& order) const {
  const double added = order.symbol_exposure_after() - order.symbol_exposure;
  const double after = order.gross_exposure + added;
  if (added <= 0.0 || after <= limit_) return {};
  return breach(RejectReason::MaxGrossExposure, after, limit_);
}

RiskVerdict PriceCollar::validate(const RiskContext& order) const {
  if (order.type == OrderType::Market) return {};
  const double distance = std::fabs(static_cast<double>(order.order_price - order.reference_price)) /
                          static_cast<double>(order.reference_price);
  if (distance <= fraction_) return {};
  return breach(RejectReason::PriceCollar, distance, fraction_);
}

double OrderRateThrottle::tokens_at(Nanos now) const {
  if (!started_) return per_second_;
  const double elapsed = static_cast<double>(std::max<Nanos>(0, now - last_)) * 1e-9;
  return std::min(per_second_, tokens_ + elapsed * per_second_);
}

RiskVerdict OrderRateThrottle::validate(const RiskContext& order) const {
  if (tokens_at(order.now) >= 1.0) return {};
  return breach(RejectReason::OrderRate, per_second_ + 1.0, per_second_);
}

void OrderRateThrottle::on_accepted(const RiskContext& order) {
  tokens_ = tokens_at(order.now) - 1.0;
  last_ = order.now;
  started_ = true;
}

RiskVerdict KillSwitch::validate(const RiskContext& order) const {
  switch (state_) {
    case TradingState::Active: return {};
    case TradingState::Halted: return breach(RejectReason::TradingHalted, 0, 0);
    case TradingState::Reducing: break;
  }
  const bool reduces = order.side == Side::Buy ? order.position < 0 && order.open_buy + order.quantity <= -order.position
                                               : order.position > 0 && order.open_sell + order.quantity <= order.position;
  return reduces ? RiskVerdict{} : breach(RejectReason::ReduceOnly, 0, 0);
}

void KillSwitch::set_state(TradingState state) {
  if (static_cast<unsigned>(state) > static_cast<unsigned>(TradingState::Halted)) {
    throw std::invalid_argument("trading state " + std::to_string(static_cast<unsigned>(state)) +
                                " is not ACTIVE (0), REDUCING (1) or HALTED (2)");
  }
  state_ = state;
}

PreTradeRisk::PreTradeRisk(const RiskLimits& limits) : limits_(limits) {
  check_limits(limits);
  auto kill_switch = std::make_unique<KillSwitch>();
  kill_switch_ = kill_switch.get();
  checks_.push_back(std::move(kill_switch));
  checks_.push_back(std::make_unique<MaxOrderQuantity>(limits.max_order_quantity));
  checks_.push_back(std::make_unique<MaxOrderNotional>(limits.max_order_notional));
  checks_.push_back(std::make_unique<PriceCollar>(limits.price_collar));
  checks_.push_back(std::make_unique<MaxPosition>(limits.max_position_quantity, limits.max_position_notional));
  checks_.push_back(std::make_unique<MaxGrossExposure>(limits.max_gross_exposure));
  checks_.push_back(std::make_unique<OrderRateThrottle>(limits.max_orders_per_second));
}

RiskVerdict PreTradeRisk::validate(const RiskContext& order) const {
  for (const auto& check : checks_) {
    const RiskVerdict verdict = check->validate(order);
    if (!verdict.passed()) return verdict;
  }
  return {};
}

void PreTradeRisk::on_accepted(const RiskContext& order) {
  for (const auto& check : checks_) check->on_accepted(order);
}

void PreTradeRisk::add(std::unique_ptr<RiskCheck> check) {
  if (!check) throw std::invalid_argument("PreTradeRisk::add: null risk check");
  checks_.insert(checks_.end() - 1, std::move(check));
}

}  // namespace order_engine
