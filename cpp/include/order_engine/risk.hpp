// Pre-trade risk checks: each a small class with one validate(), as zipline's
// finance/controls.py and NautilusTrader's RiskEngine; adding one touches no other.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "order_engine/clock.hpp"
#include "order_engine/order.hpp"

namespace order_engine {

/// The limits, as one plain struct (dollars, shares, fractions of price).
struct RiskLimits {
  Quantity max_order_quantity = 1000000;      // shares per order
  double max_order_notional = 1e7;            // dollars per order, at its worst price
  Quantity max_position_quantity = 10000000;  // |shares| per symbol, if open orders all fill
  double max_position_notional = 1e8;         // dollars per symbol at the reference price
  double max_gross_exposure = 1e9;            // dollars, sum over symbols at reference prices
  double price_collar = 0.10;                 // |limit - reference| <= collar * reference
  double max_orders_per_second = 1e6;         // accepted orders, token bucket of one second
};

/// Throws std::invalid_argument naming the first limit that is not positive and finite
/// (or a collar outside (0, 1)).
void check_limits(const RiskLimits& limits);

enum class RejectReason : std::uint8_t {
  None = 0,
  MaxOrderQuantity = 1,
  MaxOrderNotional = 2,
  MaxPosition = 3,
  MaxGrossExposure = 4,
  PriceCollar = 5,
  OrderRate = 6,
  TradingHalted = 7,   // kill switch HALTED
  ReduceOnly = 8,      // kill switch REDUCING and the order would not reduce the position
  InvalidOrder = 9,    // batch rows only: malformed input (single orders throw instead)
  InDoubt = 10,        // an earlier order in the symbol is in doubt: nothing more until it is resolved
};

[[nodiscard]] const char* reject_reason_name(RejectReason reason);

/// Kill switch states, as NautilusTrader's TradingState.
enum class TradingState : std::uint8_t { Active = 0, Reducing = 1, Halted = 2 };

[[nodiscard]] const char* trading_state_name(TradingState state);

/// What a check sees of one order and its symbol (shares, ticks, dollars).
struct RiskContext {
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  Quantity quantity = 0;
  Price order_price = 0;      // the limit, or a market order's collar protection price
  Price reference_price = 0;
  Quantity position = 0;      // filled, signed
  Quantity open_buy = 0;      // resting buy shares of this symbol
  Quantity open_sell = 0;
  double symbol_exposure = 0; // this symbol's share of gross exposure now
  double gross_exposure = 0;  // dollars now, before this order
  Nanos now = 0;

  /// The position if every open order on the order's side, and the order, fill.
  [[nodiscard]] Quantity worst_position() const;
  /// This symbol's exposure (dollars at reference) with the order added to open orders.
  [[nodiscard]] double symbol_exposure_after() const;
};

/// |position| in the worst case of open orders filling: the shares gross exposure counts.
[[nodiscard]] Quantity worst_case_shares(Quantity position, Quantity open_buy, Quantity open_sell);

/// A check's answer: reason None passes; otherwise the measured value and its limit.
struct RiskVerdict {
  RejectReason reason = RejectReason::None;
  double value = 0;
  double limit = 0;

  [[nodiscard]] bool passed() const { return reason == RejectReason::None; }
};

/// "max order notional: 1234567.50 exceeds the limit 1000000.00" for a failed verdict.
[[nodiscard]] std::string describe(const RiskVerdict& verdict);

class RiskCheck {
 public:
  virtual ~RiskCheck() = default;
  [[nodiscard]] virtual RiskVerdict validate(const RiskContext& order) const = 0;
  /// Called once the order passed every check (for checks that keep state).
  virtual void on_accepted(const RiskContext& /*order*/) {}
};

class MaxOrderQuantity final : public RiskCheck {
 public:
  explicit MaxOrderQuantity(Quantity limit) : limit_(limit) {}
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override;
 private:
  Quantity limit_;
};

/// Notional at the order's worst price (the limit, or a market order's protection price).
class MaxOrderNotional final : public RiskCheck {
 public:
  explicit MaxOrderNotional(double limit) : limit_(limit) {}
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override;
 private:
  double limit_;
};

/// Per-symbol |position| in shares and in dollars at the reference price, counting open
/// orders on the order's side as filled.
class MaxPosition final : public RiskCheck {
 public:
  MaxPosition(Quantity max_quantity, double max_notional)
      : max_quantity_(max_quantity), max_notional_(max_notional) {}
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override;
 private:
  Quantity max_quantity_;
  double max_notional_;
};

/// Sum over symbols of |worst-case position| * reference price, with the order added.
class MaxGrossExposure final : public RiskCheck {
 public:
  explicit MaxGrossExposure(double limit) : limit_(limit) {}
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override;
 private:
  double limit_;
};

/// Limit prices within a fraction of the reference price. Market orders pass: the
/// engine caps them at the collar (their protection price).
class PriceCollar final : public RiskCheck {
 public:
  explicit PriceCollar(double fraction) : fraction_(fraction) {}
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override;
 private:
  double fraction_;
};

/// A token bucket: bursts up to `per_second` orders, refilled at `per_second` a second.
class OrderRateThrottle final : public RiskCheck {
 public:
  explicit OrderRateThrottle(double per_second) : per_second_(per_second), tokens_(per_second) {}
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override;
  void on_accepted(const RiskContext& order) override;
 private:
  [[nodiscard]] double tokens_at(Nanos now) const;
  double per_second_;
  double tokens_;
  Nanos last_ = 0;
  bool started_ = false;
};

/// ACTIVE trades; REDUCING accepts only orders that shrink |position| without flipping
/// it (open orders included); HALTED accepts nothing.
class KillSwitch final : public RiskCheck {
 public:
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override;
  void set_state(TradingState state);
  [[nodiscard]] TradingState state() const { return state_; }
 private:
  TradingState state_ = TradingState::Active;
};

/// The checks in order; the first failing verdict wins. The kill switch runs first and
/// the throttle last, so only orders that pass everything spend a rate token.
class PreTradeRisk {
 public:
  explicit PreTradeRisk(const RiskLimits& limits);

  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const;
  void on_accepted(const RiskContext& order);
  /// Adds a check before the throttle.
  void add(std::unique_ptr<RiskCheck> check);
  [[nodiscard]] KillSwitch& kill_switch() { return *kill_switch_; }
  [[nodiscard]] const KillSwitch& kill_switch() const { return *kill_switch_; }
  [[nodiscard]] const RiskLimits& limits() const { return limits_; }

 private:
  RiskLimits limits_;
  KillSwitch* kill_switch_;  // owned by checks_
  std::vector<std::unique_ptr<RiskCheck>> checks_;
};

}  // namespace order_engine
