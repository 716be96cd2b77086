// The order engine: input checks, pre-trade risk, journal, venue, positions.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "order_engine/clock.hpp"
#include "order_engine/journal.hpp"
#include "order_engine/order.hpp"
#include "order_engine/paper_venue.hpp"
#include "order_engine/risk.hpp"
#include "order_engine/venue.hpp"

namespace order_engine {

struct EngineConfig {
  RiskLimits limits;
  LiquidityProfile liquidity;   // of the paper venue
  std::string journal_path;     // empty: no journal (benchmarks, simulations), nothing survives the process
  bool manual_clock = false;    // time moves only through advance_clock() (tests, replays)
};

/// An order's state after an engine call.
struct OrderReport {
  std::string client_order_id;
  std::string symbol;
  Side side = Side::Buy;
  Quantity quantity = 0;         // shares ordered
  OrderStatus status = OrderStatus::Rejected;
  RejectReason reason = RejectReason::None;
  std::string message;           // why it was rejected or not sent; empty otherwise
  Quantity filled_quantity = 0;  // shares
  Quantity leaves_quantity = 0;  // shares still resting in the book
  double average_price = 0.0;    // dollars, of this order's fills (0 without fills)
  std::vector<Fill> fills;       // every fill of ours this call caused, this order's and resting ones'
};

#ifdef ORDER_ENGINE_TEST_HOOKS
/// Test builds only (CMake option ORDER_ENGINE_TEST_HOOKS, on for ctest, off for the
/// Python package): environment variable naming a client order id at which the engine
/// kills its own process (SIGKILL) after journalling the order and before sending it,
/// the crash point that recovery must survive.
inline constexpr const char* kKillBeforeSendEnv = "ORDER_ENGINE_KILL_BEFORE_SEND";
#endif

class Engine {
 public:
  /// An engine on the paper venue. With a journal path, replays the journal first:
  /// positions and sent client order ids are restored (throws JournalCorrupted on a
  /// damaged record).
  explicit Engine(const EngineConfig& config);
  /// An engine on another venue (a live adapter).
  Engine(const EngineConfig& config, std::unique_ptr<Venue> venue);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Registers a symbol or moves its reference price (dollars): the collar's centre,
  /// the mark of positions and the centre of the paper venue's simulated market.
  SymbolId set_reference_price(const std::string& symbol, double price);
  /// Throws std::invalid_argument for a symbol never registered.
  [[nodiscard]] SymbolId symbol_id(const std::string& symbol) const;

  /// Checks, risk-checks, journals (fsync) and sends one order. Malformed input throws
  /// std::invalid_argument; a risk breach, a venue's refusal or an already-sent client
  /// order id comes back as status REJECTED or DUPLICATE with a message; a venue that
  /// cannot say what became of the order (VenueInDoubt) leaves it IN_DOUBT. While an order in the same
  /// symbol is in doubt, nothing more is sent in it (REJECTED, reason IN_DOUBT): had
  /// the venue filled the first, a second would double the position.
  [[nodiscard]] OrderReport submit(const NewOrder& order);

  /// Records the final state of an in-doubt order as the venue (or a person who asked
  /// it) reports it: `filled` shares in all (at least those journalled) at
  /// `average_price` dollars for the shares not journalled yet, and `status` FILLED,
  /// CANCELLED or EXPIRED, or REJECTED with nothing filled (the venue never took it). Journals the fill and the status (fsync), moves the position,
  /// and unblocks the symbol. Throws std::invalid_argument for an order not in doubt
  /// or a state that does not add up; needs a journal.
  OrderReport resolve(const std::string& client_order_id, OrderStatus status, Quantity filled,
                      double average_price);

  /// Asks the venue about every in-doubt order before anything more is sent (call it
  /// right after opening a journalled engine on a live venue): an order the venue
  /// reports final is resolved as above; one it never received is resolved REJECTED
  /// with nothing filled; one still working there, or a venue that cannot tell (the
  /// paper venue), stays in doubt. Never re-sends an order. Returns the resolved orders.
  std::vector<OrderReport> reconcile();

  /// The hot path for journal-less engines: one code per row (RejectReason::None =
  /// accepted, InvalidOrder = malformed row) and the shares filled. Spans must have
  /// equal lengths; prices in dollars, ignored for market orders.
  void submit_batch(std::span<const SymbolId> symbols, std::span<const std::uint8_t> sides,
                    std::span<const std::uint8_t> types, std::span<const std::uint8_t> times_in_force,
                    std::span<const Quantity> quantities, std::span<const double> limit_prices,
                    std::span<std::uint8_t> codes, std::span<Quantity> filled);

  /// Cancels a resting order by client order id.
  [[nodiscard]] OrderReport cancel(const std::string& client_order_id);
  /// Expires every resting DAY order: the end of the session.
  [[nodiscard]] std::vector<OrderReport> end_of_day();

  void set_trading_state(TradingState state);
  [[nodiscard]] TradingState trading_state() const;
  void advance_clock(Nanos by) { clock_.advance(by); }

  [[nodiscard]] Quantity position(const std::string& symbol) const;
  /// Every known symbol's position in shares, zeros included.
  [[nodiscard]] std::map<std::string, Quantity> positions() const;
  /// Sum over symbols of worst-case |position| (open orders filling) at reference prices, dollars.
  [[nodiscard]] double gross_exposure() const { return gross_exposure_; }
  [[nodiscard]] BookTop book_top(const std::string& symbol) const;
  [[nodiscard]] const RiskLimits& limits() const { return risk_.limits(); }

  /// True if the id was sent before (this session or, with a journal, ever): it is never sent again.
  [[nodiscard]] bool was_sent(const std::string& client_order_id) const;
  /// Orders the journal shows as sent but without a final state (a crash between
  /// journal and venue answer): never re-sent, to be reconciled by a person.
  [[nodiscard]] const std::vector<OrderReport>& in_doubt_orders() const { return in_doubt_; }
  [[nodiscard]] bool journalled() const { return journal_ != nullptr; }

  /// Closes the journal (releasing its lock) and the venue (a FIX session logs out); the
  /// engine accepts nothing afterwards.
  void close();

 private:
  struct SymbolState {
    std::string name;
    Price reference = 0;
    Quantity position = 0;
    Quantity open_buy = 0;
    Quantity open_sell = 0;
    double exposure = 0;  // dollars, its share of gross exposure
  };
  struct OpenOrder {
    std::string client_order_id;
    SymbolId symbol;
    Side side;
    TimeInForce time_in_force;
    Price limit;
    Quantity quantity;
    Quantity filled;
    double filled_notional;  // dollars
  };
  struct Outcome {
    RiskVerdict verdict;
    Quantity filled = 0;
    Quantity leaves = 0;
    double filled_notional = 0;  // dollars
    OrderStatus venue_verdict = OrderStatus::Filled;  // Rejected or InDoubt when the venue said so
    std::string venue_message;
  };

  [[nodiscard]] Outcome execute(const OrderRequest& request, const std::string* client_order_id,
                                std::vector<Fill>* fills);
  void apply_fill(const VenueFill& fill, OrderKey taker, const OrderRequest& request,
                  const std::string* client_order_id, Outcome& outcome, std::vector<Fill>* fills);
  void journal(RecordKind kind, const std::string& client_order_id, SymbolId symbol, Side side,
               Quantity quantity, Price price);
  void journal_status(const std::string& client_order_id, SymbolId symbol, Side side, OrderStatus status,
                      Quantity filled, Quantity leaves);
  void refresh_exposure(SymbolState& symbol);
  void replay(const std::vector<JournalRecord>& records);
  [[nodiscard]] SymbolId intern(const std::string& symbol);
  [[nodiscard]] OrderRequest checked_request(const NewOrder& order) const;
  [[nodiscard]] OrderReport close_open_order(OrderKey key, OrderStatus status);
  [[nodiscard]] const OrderReport* in_doubt_in(const std::string& symbol) const;
  void require_open() const;

  Clock clock_;
  PreTradeRisk risk_;
  std::unique_ptr<Venue> venue_;
  std::unique_ptr<OrderJournal> journal_;
  std::vector<SymbolState> symbols_;
  std::unordered_map<std::string, SymbolId> symbol_ids_;
  std::unordered_map<OrderKey, OpenOrder> open_orders_;  // resting orders only
  std::unordered_set<std::string> sent_ids_;
  std::vector<OrderReport> in_doubt_;
  std::vector<VenueFill> venue_fills_;  // reused by every send
#ifdef ORDER_ENGINE_TEST_HOOKS
  std::string kill_before_send_;  // the order id of kKillBeforeSendEnv
#endif
  OrderKey next_key_ = 1;
  double gross_exposure_ = 0;
  bool closed_ = false;
};

}  // namespace order_engine
