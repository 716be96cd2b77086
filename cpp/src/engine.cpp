#include "order_engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#ifdef ORDER_ENGINE_TEST_HOOKS
#include <csignal>
#include <cstdlib>
#endif

namespace order_engine {
namespace {

bool is_final(OrderStatus status) {
  return status == OrderStatus::Filled || status == OrderStatus::Cancelled || status == OrderStatus::Expired ||
         status == OrderStatus::Rejected;  // journalled as a status only when the venue refused a sent order
}

/// The price a market order may trade at: the collar's edge, so it never sweeps
/// the book beyond what a limit order would be allowed.
Price protection_price(Price reference, Side side, double collar) {
  const double ticks = static_cast<double>(reference);
  return side == Side::Buy ? static_cast<Price>(std::floor(ticks * (1.0 + collar)))
                           : std::max<Price>(1, static_cast<Price>(std::ceil(ticks * (1.0 - collar))));
}

Quantity& open_quantity(Quantity& open_buy, Quantity& open_sell, Side side) {
  return side == Side::Buy ? open_buy : open_sell;
}

OrderReport report_of(const std::string& client_order_id, const std::string& symbol, Side side, Quantity quantity,
                      OrderStatus status) {
  OrderReport report;
  report.client_order_id = client_order_id;
  report.symbol = symbol;
  report.side = side;
  report.quantity = quantity;
  report.status = status;
  return report;
}

/// A SUBMIT or REJECT record: the order as asked, with its symbol's reference price.
JournalRecord order_record(RecordKind kind, const std::string& client_order_id, const std::string& symbol,
                           Price reference, const OrderRequest& request) {
  JournalRecord record;
  record.kind = kind;
  record.client_order_id = client_order_id;
  record.symbol = symbol;
  record.side = request.side;
  record.type = request.type;
  record.time_in_force = request.time_in_force;
  record.quantity = request.quantity;
  record.price = request.limit_price;
  record.reference = reference;
  return record;
}

}  // namespace

Engine::Engine(const EngineConfig& config) : Engine(config, std::make_unique<PaperVenue>(config.liquidity)) {}

Engine::Engine(const EngineConfig& config, std::unique_ptr<Venue> venue)
    : clock_(config.manual_clock), risk_(config.limits), venue_(std::move(venue)) {
  if (!venue_) throw std::invalid_argument("Engine: no venue given");
  if (!config.journal_path.empty()) {
    journal_ = std::make_unique<OrderJournal>(config.journal_path);
    replay(journal_->recovered());
#ifdef ORDER_ENGINE_TEST_HOOKS
    if (const char* kill = std::getenv(kKillBeforeSendEnv)) kill_before_send_ = kill;
#endif
  }
}

Engine::~Engine() = default;

SymbolId Engine::intern(const std::string& symbol) {
  const auto [entry, added] = symbol_ids_.try_emplace(symbol, static_cast<SymbolId>(symbols_.size()));
  if (added) symbols_.push_back(SymbolState{symbol});
  return entry->second;
}

SymbolId Engine::symbol_id(const std::string& symbol) const {
  const auto entry = symbol_ids_.find(symbol);
  if (entry == symbol_ids_.end()) {
    throw std::invalid_argument("unknown symbol '" + symbol.substr(0, 80) +
                                "': set its reference price first (set_reference_price)");
  }
  return entry->second;
}

SymbolId Engine::set_reference_price(const std::string& symbol, double price) {
  require_open();
  check_identifier(symbol, "symbol");
  const Price ticks = price_to_ticks(price, "reference price of " + symbol);
  const SymbolId id = intern(symbol);
  SymbolState& state = symbols_[static_cast<std::size_t>(id)];
  state.reference = ticks;
  venue_->set_reference_price(id, ticks);
  refresh_exposure(state);
  return id;
}

void Engine::refresh_exposure(SymbolState& symbol) {
  const double exposure = static_cast<double>(worst_case_shares(symbol.position, symbol.open_buy, symbol.open_sell)) *
                          ticks_to_dollars(symbol.reference);
  gross_exposure_ += exposure - symbol.exposure;
  symbol.exposure = exposure;
}

void Engine::require_open() const {
  if (closed_) throw std::logic_error("the order engine is closed: open a new one");
}

OrderRequest Engine::checked_request(const NewOrder& order) const {
  require_open();
  check_identifier(order.client_order_id, "client order id");
  const std::string what = "order " + order.client_order_id;
  check_identifier(order.symbol, what + ": symbol");
  check_enums(order.side, order.type, order.time_in_force, what);
  check_quantity(order.quantity, what);
  const auto known = symbol_ids_.find(order.symbol);
  if (known == symbol_ids_.end()) {
    throw std::invalid_argument(what + ": unknown symbol '" + order.symbol + "' (no reference price set)");
  }
  const SymbolId symbol = known->second;
  if (symbols_[static_cast<std::size_t>(symbol)].reference == 0) {
    throw std::invalid_argument(what + ": symbol " + order.symbol +
                                " has a position from the journal but no reference price yet");
  }
  const Price limit = order.type == OrderType::Limit ? price_to_ticks(order.limit_price, what + ": limit") : 0;
  return OrderRequest{symbol, order.side, order.type, order.time_in_force, order.quantity, limit};
}

OrderReport Engine::submit(const NewOrder& order) {
  const OrderRequest request = checked_request(order);
  OrderReport report = report_of(order.client_order_id, order.symbol, order.side, order.quantity, OrderStatus::Rejected);
  if (sent_ids_.count(order.client_order_id) != 0) {
    report.status = OrderStatus::Duplicate;
    report.message = "order " + order.client_order_id + " was already sent" +
                     (journal_ ? " (it is in the journal " + journal_->path() + ")" : std::string()) +
                     ": a client order id is never sent twice";
    return report;
  }
  if (const OrderReport* doubt = in_doubt_in(order.symbol)) {
    report.reason = RejectReason::InDoubt;
    report.message = "order " + order.client_order_id + " (" + side_name(order.side) + " " +
                     std::to_string(order.quantity) + " " + order.symbol + ") not sent: order " +
                     doubt->client_order_id + " in " + order.symbol +
                     " is in doubt; nothing more is sent in the symbol until it is resolved";
    if (journal_) {
      SymbolState& symbol = symbols_[static_cast<std::size_t>(request.symbol)];
      JournalRecord record = order_record(RecordKind::Reject, order.client_order_id, symbol.name, symbol.reference, request);
      record.reason = RejectReason::InDoubt;
      journal_->append(std::move(record));
      journal_->commit();
    }
    return report;
  }
  const Outcome outcome = execute(request, &order.client_order_id, &report.fills);
  const std::string what = "order " + order.client_order_id + " (" + side_name(order.side) + " " +
                           std::to_string(order.quantity) + " " + order.symbol + ")";
  if (!outcome.verdict.passed()) {
    report.status = OrderStatus::Rejected;
    report.reason = outcome.verdict.reason;
    report.message = what + " rejected: " + describe(outcome.verdict);
    return report;
  }
  if (outcome.venue_verdict == OrderStatus::Rejected) {
    report.message = what + " rejected by the venue: " + outcome.venue_message;
    return report;
  }
  if (outcome.venue_verdict == OrderStatus::InDoubt) {
    report.status = OrderStatus::InDoubt;
    report.message = in_doubt_.back().message;
    return report;
  }
  report.filled_quantity = outcome.filled;
  report.leaves_quantity = outcome.leaves;
  report.average_price = outcome.filled > 0 ? outcome.filled_notional / static_cast<double>(outcome.filled) : 0.0;
  if (outcome.filled == order.quantity) report.status = OrderStatus::Filled;
  else if (outcome.leaves > 0) report.status = outcome.filled > 0 ? OrderStatus::PartiallyFilled : OrderStatus::Resting;
  else report.status = OrderStatus::Cancelled;
  return report;
}

Engine::Outcome Engine::execute(const OrderRequest& request, const std::string* client_order_id,
                                std::vector<Fill>* fills) {
  SymbolState& symbol = symbols_[static_cast<std::size_t>(request.symbol)];
  const Price order_price = request.type == OrderType::Market
                                ? protection_price(symbol.reference, request.side, risk_.limits().price_collar)
                                : request.limit_price;
  const RiskContext context{request.side,     request.type,     request.quantity, order_price,
                            symbol.reference, symbol.position,  symbol.open_buy,  symbol.open_sell,
                            symbol.exposure,  gross_exposure_,  clock_.now()};
  Outcome outcome;
  outcome.verdict = risk_.validate(context);
  if (!outcome.verdict.passed()) {
    if (client_order_id != nullptr && journal_) {
      JournalRecord record = order_record(RecordKind::Reject, *client_order_id, symbol.name, symbol.reference, request);
      record.reason = outcome.verdict.reason;
      journal_->append(std::move(record));
      journal_->commit();
    }
    return outcome;
  }
  risk_.on_accepted(context);
  const OrderKey key = next_key_++;
  if (client_order_id != nullptr) {
    if (journal_) {
      journal_->append(order_record(RecordKind::Submit, *client_order_id, symbol.name, symbol.reference, request));
      journal_->commit();  // write-ahead: durable before the venue sees the order
#ifdef ORDER_ENGINE_TEST_HOOKS
      if (!kill_before_send_.empty() && *client_order_id == kill_before_send_) std::raise(SIGKILL);
#endif
    }
    sent_ids_.insert(*client_order_id);
  }
  open_quantity(symbol.open_buy, symbol.open_sell, request.side) += request.quantity;
  venue_fills_.clear();
  const bool rests = request.type == OrderType::Limit && request.time_in_force == TimeInForce::Day;
  const VenueOrder venue_order{key,
                               request.symbol,
                               request.side,
                               order_price,
                               request.quantity,
                               rests,
                               client_order_id != nullptr ? std::string_view(*client_order_id) : std::string_view(),
                               symbol.name};
  try {
    outcome.leaves = venue_->send(venue_order, venue_fills_);
  } catch (const VenueRejected& rejected) {
    open_quantity(symbol.open_buy, symbol.open_sell, request.side) -= request.quantity;
    refresh_exposure(symbol);
    outcome.venue_verdict = OrderStatus::Rejected;
    outcome.venue_message = rejected.what();
    if (client_order_id != nullptr && journal_) {
      journal_status(*client_order_id, request.symbol, request.side, OrderStatus::Rejected, 0, 0);
      journal_->commit();
    }
    return outcome;
  } catch (const VenueInDoubt& doubt) {
    // As a replay leaves it: the SUBMIT stays without a status, and the order counts
    // in no open quantity until resolve() books what the venue did.
    open_quantity(symbol.open_buy, symbol.open_sell, request.side) -= request.quantity;
    refresh_exposure(symbol);
    if (client_order_id == nullptr) throw;  // a batch row has no id to hold in doubt
    OrderReport report = report_of(*client_order_id, symbol.name, request.side, request.quantity, OrderStatus::InDoubt);
    report.message = "order " + *client_order_id + " is in doubt: " + doubt.what() +
                     ". It is never sent again; reconcile() asks the venue when the session is back.";
    in_doubt_.push_back(std::move(report));
    outcome.venue_verdict = OrderStatus::InDoubt;
    return outcome;
  }
  for (const VenueFill& fill : venue_fills_) apply_fill(fill, key, request, client_order_id, outcome, fills);
  // What neither filled nor rests was cancelled (IOC, market): no longer open.
  open_quantity(symbol.open_buy, symbol.open_sell, request.side) -= request.quantity - outcome.filled - outcome.leaves;
  refresh_exposure(symbol);
  if (outcome.leaves > 0) {
    open_orders_.emplace(key, OpenOrder{client_order_id != nullptr ? *client_order_id : std::string(), request.symbol,
                                        request.side, request.time_in_force, order_price, request.quantity,
                                        outcome.filled, outcome.filled_notional});
  }
  if (client_order_id != nullptr && journal_) {
    const OrderStatus status = outcome.filled == request.quantity ? OrderStatus::Filled
                               : outcome.leaves > 0 ? (outcome.filled > 0 ? OrderStatus::PartiallyFilled : OrderStatus::Resting)
                                                    : OrderStatus::Cancelled;
    journal_status(*client_order_id, request.symbol, request.side, status, outcome.filled, outcome.leaves);
    journal_->commit();
  }
  return outcome;
}

void Engine::apply_fill(const VenueFill& fill, OrderKey taker, const OrderRequest& request,
                        const std::string* client_order_id, Outcome& outcome, std::vector<Fill>* fills) {
  const double price = ticks_to_dollars(fill.price);
  const double notional = static_cast<double>(fill.quantity) * price;
  if (fill.order == taker) {
    SymbolState& symbol = symbols_[static_cast<std::size_t>(request.symbol)];
    symbol.position += side_sign(request.side) * fill.quantity;
    open_quantity(symbol.open_buy, symbol.open_sell, request.side) -= fill.quantity;
    outcome.filled += fill.quantity;
    outcome.filled_notional += notional;
    if (client_order_id != nullptr) {
      journal(RecordKind::Fill, *client_order_id, request.symbol, request.side, fill.quantity, fill.price);
      if (fills != nullptr) fills->push_back(Fill{*client_order_id, symbol.name, request.side, fill.quantity, price});
    }
    return;
  }
  const auto maker = open_orders_.find(fill.order);
  if (maker == open_orders_.end()) {
    throw std::logic_error("venue reported a fill of order key " + std::to_string(fill.order) +
                           ", which is not resting");
  }
  OpenOrder& order = maker->second;
  SymbolState& symbol = symbols_[static_cast<std::size_t>(order.symbol)];
  symbol.position += side_sign(order.side) * fill.quantity;
  open_quantity(symbol.open_buy, symbol.open_sell, order.side) -= fill.quantity;
  order.filled += fill.quantity;
  order.filled_notional += notional;
  refresh_exposure(symbol);
  if (!order.client_order_id.empty()) {
    journal(RecordKind::Fill, order.client_order_id, order.symbol, order.side, fill.quantity, fill.price);
    if (fills != nullptr) fills->push_back(Fill{order.client_order_id, symbol.name, order.side, fill.quantity, price});
    if (order.filled == order.quantity) {
      journal_status(order.client_order_id, order.symbol, order.side, OrderStatus::Filled, order.filled, 0);
    }
  }
  if (order.filled == order.quantity) open_orders_.erase(maker);
}

void Engine::journal(RecordKind kind, const std::string& client_order_id, SymbolId symbol, Side side,
                     Quantity quantity, Price price) {
  if (!journal_) return;
  JournalRecord record;
  record.kind = kind;
  record.client_order_id = client_order_id;
  record.symbol = symbols_[static_cast<std::size_t>(symbol)].name;
  record.side = side;
  record.quantity = quantity;
  record.price = price;
  journal_->append(std::move(record));
}

void Engine::journal_status(const std::string& client_order_id, SymbolId symbol, Side side, OrderStatus status,
                            Quantity filled, Quantity leaves) {
  if (!journal_) return;
  JournalRecord record;
  record.kind = RecordKind::Status;
  record.client_order_id = client_order_id;
  record.symbol = symbols_[static_cast<std::size_t>(symbol)].name;
  record.side = side;
  record.quantity = filled;
  record.status = status;
  record.leaves = leaves;
  journal_->append(std::move(record));
}

void Engine::submit_batch(std::span<const SymbolId> symbols, std::span<const std::uint8_t> sides,
                          std::span<const std::uint8_t> types, std::span<const std::uint8_t> times_in_force,
                          std::span<const Quantity> quantities, std::span<const double> limit_prices,
                          std::span<std::uint8_t> codes, std::span<Quantity> filled) {
  require_open();
  if (journal_) {
    throw std::logic_error("submit_batch is for journal-less engines: journalled orders need client order ids "
                           "(use submit())");
  }
  const std::size_t n = symbols.size();
  if (sides.size() != n || types.size() != n || times_in_force.size() != n || quantities.size() != n ||
      limit_prices.size() != n || codes.size() != n || filled.size() != n) {
    throw std::invalid_argument("submit_batch: every array must have " + std::to_string(n) +
                                " rows (one per order), as the symbols array");
  }
  for (std::size_t i = 0; i < n; ++i) {
    OrderRequest request;
    request.symbol = symbols[i];
    request.side = static_cast<Side>(sides[i]);
    request.type = static_cast<OrderType>(types[i]);
    request.time_in_force = static_cast<TimeInForce>(times_in_force[i]);
    request.quantity = quantities[i];
    bool valid = request.symbol >= 0 && static_cast<std::size_t>(request.symbol) < symbols_.size() &&
                 symbols_[static_cast<std::size_t>(request.symbol)].reference > 0 && sides[i] <= 1 &&
                 types[i] <= 1 && times_in_force[i] <= 1 && request.quantity >= 1 &&
                 request.quantity <= kMaxOrderQuantity;
    if (valid && request.type == OrderType::Limit) valid = try_price_to_ticks(limit_prices[i], request.limit_price);
    if (!valid) {
      codes[i] = static_cast<std::uint8_t>(RejectReason::InvalidOrder);
      filled[i] = 0;
      continue;
    }
    const Outcome outcome = execute(request, nullptr, nullptr);
    codes[i] = static_cast<std::uint8_t>(outcome.verdict.reason);
    filled[i] = outcome.filled;
  }
}

OrderReport Engine::close_open_order(OrderKey key, OrderStatus status) {
  const auto entry = open_orders_.find(key);
  OpenOrder& order = entry->second;
  SymbolState& symbol = symbols_[static_cast<std::size_t>(order.symbol)];
  OrderReport report = report_of(order.client_order_id, symbol.name, order.side, order.quantity, status);
  report.filled_quantity = order.filled;
  report.average_price = order.filled > 0 ? order.filled_notional / static_cast<double>(order.filled) : 0.0;
  Quantity removed = 0;
  try {
    removed = venue_->cancel(VenueOrder{key, order.symbol, order.side, order.limit, order.quantity - order.filled,
                                        true, order.client_order_id, symbol.name});
  } catch (const VenueInDoubt& doubt) {
    if (order.client_order_id.empty()) throw;
    // As a replay leaves it (its last status RESTING): in doubt, in no open quantity.
    open_quantity(symbol.open_buy, symbol.open_sell, order.side) -= order.quantity - order.filled;
    refresh_exposure(symbol);
    report.status = OrderStatus::InDoubt;
    report.message = "order " + order.client_order_id + " is in doubt: " + doubt.what() +
                     ". reconcile() asks the venue when the session is back.";
    in_doubt_.push_back(report);
    open_orders_.erase(entry);
    return report;
  }
  open_quantity(symbol.open_buy, symbol.open_sell, order.side) -= removed;
  refresh_exposure(symbol);
  if (!order.client_order_id.empty()) {
    journal_status(order.client_order_id, order.symbol, order.side, status, order.filled, 0);
  }
  open_orders_.erase(entry);
  return report;
}

OrderReport Engine::cancel(const std::string& client_order_id) {
  require_open();
  const auto entry = std::find_if(open_orders_.begin(), open_orders_.end(),
                                  [&](const auto& open) { return open.second.client_order_id == client_order_id; });
  if (entry == open_orders_.end()) {
    throw std::invalid_argument("cancel: no resting order with client order id '" + client_order_id.substr(0, 80) + "'");
  }
  OrderReport report = close_open_order(entry->first, OrderStatus::Cancelled);
  if (journal_) journal_->commit();
  return report;
}

std::vector<OrderReport> Engine::end_of_day() {
  require_open();
  std::vector<OrderKey> day_orders;
  for (const auto& [key, order] : open_orders_) {
    if (order.time_in_force == TimeInForce::Day) day_orders.push_back(key);
  }
  std::sort(day_orders.begin(), day_orders.end());  // in order of arrival
  std::vector<OrderReport> expired;
  for (const OrderKey key : day_orders) expired.push_back(close_open_order(key, OrderStatus::Expired));
  if (journal_) journal_->commit();
  return expired;
}

void Engine::set_trading_state(TradingState state) { risk_.kill_switch().set_state(state); }

TradingState Engine::trading_state() const { return risk_.kill_switch().state(); }

Quantity Engine::position(const std::string& symbol) const {
  return symbols_[static_cast<std::size_t>(symbol_id(symbol))].position;
}

std::map<std::string, Quantity> Engine::positions() const {
  std::map<std::string, Quantity> positions;
  for (const SymbolState& symbol : symbols_) positions.emplace(symbol.name, symbol.position);
  return positions;
}

BookTop Engine::book_top(const std::string& symbol) const {
  require_open();
  return venue_->top(symbol_id(symbol));
}

bool Engine::was_sent(const std::string& client_order_id) const { return sent_ids_.count(client_order_id) != 0; }

const OrderReport* Engine::in_doubt_in(const std::string& symbol) const {
  const auto doubt = std::find_if(in_doubt_.begin(), in_doubt_.end(),
                                  [&](const OrderReport& report) { return report.symbol == symbol; });
  return doubt == in_doubt_.end() ? nullptr : &*doubt;
}

OrderReport Engine::resolve(const std::string& client_order_id, OrderStatus status, Quantity filled,
                            double average_price) {
  require_open();
  if (!journal_) throw std::logic_error("resolve: an in-doubt order exists only in a journalled engine");
  const auto doubt = std::find_if(in_doubt_.begin(), in_doubt_.end(), [&](const OrderReport& report) {
    return report.client_order_id == client_order_id;
  });
  const std::string what = "resolve " + client_order_id.substr(0, 80);
  if (doubt == in_doubt_.end()) throw std::invalid_argument(what + ": no order with this id is in doubt");
  OrderReport report = *doubt;
  if (!is_final(status)) throw std::invalid_argument(what + ": the final state is FILLED, CANCELLED, EXPIRED or REJECTED");
  if (status == OrderStatus::Rejected && filled != 0) {
    throw std::invalid_argument(what + ": REJECTED means the venue never took it, so nothing filled");
  }
  if (filled < report.filled_quantity || filled > report.quantity) {
    throw std::invalid_argument(what + ": " + std::to_string(filled) + " shares filled, but the journal has " +
                                std::to_string(report.filled_quantity) + " of " + std::to_string(report.quantity));
  }
  if ((status == OrderStatus::Filled) != (filled == report.quantity)) {
    throw std::invalid_argument(what + ": FILLED means all " + std::to_string(report.quantity) +
                                " shares filled, and all shares filled means FILLED");
  }
  const Quantity added = filled - report.filled_quantity;
  const Price price = added > 0 ? price_to_ticks(average_price, what + ": average price") : 0;
  const SymbolId symbol = intern(report.symbol);
  if (added > 0) {
    journal(RecordKind::Fill, client_order_id, symbol, report.side, added, price);
    SymbolState& state = symbols_[static_cast<std::size_t>(symbol)];
    state.position += side_sign(report.side) * added;
    refresh_exposure(state);
    report.average_price = (report.average_price * static_cast<double>(report.filled_quantity) +
                            ticks_to_dollars(price) * static_cast<double>(added)) / static_cast<double>(filled);
  }
  journal_status(client_order_id, symbol, report.side, status, filled, 0);
  journal_->commit();
  report.status = status;
  report.filled_quantity = filled;
  report.leaves_quantity = 0;
  report.message.clear();
  in_doubt_.erase(doubt);
  return report;
}

std::vector<OrderReport> Engine::reconcile() {
  require_open();
  std::vector<OrderReport> resolved;
  const std::vector<OrderReport> doubts = in_doubt_;  // resolve() erases from in_doubt_
  for (const OrderReport& doubt : doubts) {
    const VenueOrder order{0, intern(doubt.symbol), doubt.side, 0, doubt.quantity, false, doubt.client_order_id,
                           doubt.symbol};
    const std::optional<VenueOrderState> state = venue_->status(order);
    if (!state) continue;
    if (!state->known) {
      resolved.push_back(resolve(doubt.client_order_id, OrderStatus::Rejected, 0, 0.0));
      resolved.back().message = "order " + doubt.client_order_id + " never reached the venue: nothing was traded";
      continue;
    }
    if (!is_final(state->status)) {
      const auto entry = std::find_if(in_doubt_.begin(), in_doubt_.end(), [&](const OrderReport& report) {
        return report.client_order_id == doubt.client_order_id;
      });
      entry->message = "order " + doubt.client_order_id + " is still working at the venue (" +
                       order_status_name(state->status) + ", " + std::to_string(state->filled) + " of " +
                       std::to_string(doubt.quantity) + " " + doubt.symbol +
                       " filled): cancel it there, then resolve it with what it filled";
      continue;
    }
    // The venue's average covers every fill; resolve() wants that of the fills not journalled yet.
    const Quantity added = state->filled - doubt.filled_quantity;
    const double price =
        added > 0 ? (ticks_to_dollars(state->average_price) * static_cast<double>(state->filled) -
                     doubt.average_price * static_cast<double>(doubt.filled_quantity)) / static_cast<double>(added)
                  : 0.0;
    resolved.push_back(resolve(doubt.client_order_id, state->status, state->filled, price));
  }
  return resolved;
}

void Engine::close() {
  journal_.reset();
  venue_.reset();  // a live venue's session ends now, not whenever Python collects the engine
  closed_ = true;
}

void Engine::replay(const std::vector<JournalRecord>& records) {
  struct Replayed {
    OrderReport report;
    double filled_notional = 0;
    bool final = false;
  };
  std::unordered_map<std::string, Replayed> orders;
  std::vector<std::string> submitted;  // in journal order
  for (const JournalRecord& record : records) {
    const auto where = [&] {
      return "order journal " + journal_->path() + " record " + std::to_string(record.sequence) + ": " +
             record_kind_name(record.kind) + " of order " + record.client_order_id;
    };
    if (record.kind == RecordKind::Reject) continue;  // never sent: nothing to restore
    if (record.kind == RecordKind::Submit) {
      const OrderReport report =
          report_of(record.client_order_id, record.symbol, record.side, record.quantity, OrderStatus::InDoubt);
      if (!orders.try_emplace(record.client_order_id, Replayed{report}).second) {
        throw std::runtime_error(where() + " repeats an earlier SUBMIT: the journal is inconsistent");
      }
      submitted.push_back(record.client_order_id);
      sent_ids_.insert(record.client_order_id);
      static_cast<void>(intern(record.symbol));
      continue;
    }
    const auto order = orders.find(record.client_order_id);
    if (order == orders.end()) throw std::runtime_error(where() + " has no SUBMIT before it: the journal is inconsistent");
    Replayed& replayed = order->second;
    if (record.kind == RecordKind::Fill) {
      symbols_[static_cast<std::size_t>(intern(record.symbol))].position += side_sign(record.side) * record.quantity;
      replayed.report.filled_quantity += record.quantity;
      replayed.filled_notional += static_cast<double>(record.quantity) * ticks_to_dollars(record.price);
    } else {
      replayed.report.status = record.status;
      replayed.report.leaves_quantity = record.leaves;
      replayed.final = is_final(record.status);
    }
  }
  for (const std::string& id : submitted) {
    Replayed& replayed = orders.at(id);
    if (replayed.final) continue;
    OrderReport& report = replayed.report;
    if (report.filled_quantity > 0) report.average_price = replayed.filled_notional / static_cast<double>(report.filled_quantity);
    const std::string last_state = report.status == OrderStatus::InDoubt
                                       ? std::string("no venue answer recorded")
                                       : std::string(order_status_name(report.status)) + " when the run ended";
    report.message = "order " + id + " was journalled as sent but has no final state (" + last_state +
                     "): the venue may hold it. It is never sent again; reconcile it by hand.";
    report.status = OrderStatus::InDoubt;
    in_doubt_.push_back(report);
  }
}

}  // namespace order_engine
